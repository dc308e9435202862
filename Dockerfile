# One image for the api and the worker services (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /srv/optserve

COPY pyproject.toml README.md ./
COPY models ./models
COPY solvers ./solvers
COPY app ./app
COPY optserve ./optserve
RUN pip install . && useradd --create-home optserve && mkdir -p /data && chown optserve /data
USER optserve

ENV OPTSERVE_HOST=0.0.0.0 OPTSERVE_PORT=8000 OPTSERVE_DATA_DIR=/data
EXPOSE 8000
CMD ["optserve", "serve"]
