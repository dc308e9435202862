"""The genetic algorithm behind the `ga` backend: a DEAP-based engine, composable stopping rules,
and one feasibility-keeping encoding per problem family."""
