"""The union of every family's solution format (kept apart to avoid import cycles)."""

from models.facility import FacilitySolution
from models.knapsack import KnapsackSolution
from models.scheduling import ScheduleSolution
from models.staffing import StaffingSolution
from models.tsp import TspSolution

Solution = KnapsackSolution | TspSolution | FacilitySolution | ScheduleSolution | StaffingSolution
