# One image for the api and the worker services (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    NUMBA_CACHE_DIR=/srv/optserve/.numba-cache
WORKDIR /srv/optserve

# Dependencies first, pinned by the lock file: this layer is rebuilt only when they change.
# (The version file stands in for the package so pip can resolve ".[server]" without the source.)
COPY pyproject.toml README.md LICENSE constraints.txt ./
COPY optserve/_version.py ./optserve/_version.py
RUN pip install -c constraints.txt ".[server]" && pip uninstall --yes optserve

# Then the source (changes often; installing it adds no downloads).
COPY models ./models
COPY solvers ./solvers
COPY app ./app
COPY optserve ./optserve
RUN pip install --no-deps ".[server]" -c constraints.txt \
    && useradd --create-home --uid 10001 optserve \
    && mkdir -p /data "$NUMBA_CACHE_DIR" && chown optserve /data "$NUMBA_CACHE_DIR"
USER optserve
# Compile the numba kernels once, into the image, so the first solve is not slow.
RUN python -m solvers.runtime.warmup

ENV OPTSERVE_HOST=0.0.0.0 OPTSERVE_PORT=8000 OPTSERVE_DATA_DIR=/data
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health/live', timeout=4)"
CMD ["optserve", "serve"]
