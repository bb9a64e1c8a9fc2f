# The LRS image: `lrs serve` by default; the same image runs `lrs worker` and the other commands.
# Build stage: wheels for the project and its dependencies (with the PostgreSQL driver), so the final image
# carries neither the sources' extras (.git, virtualenvs, local databases) nor build tools.
FROM python:3.11-slim AS build
WORKDIR /src
COPY . .
RUN pip wheel --no-cache-dir --wheel-dir /wheels ".[postgres]"

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index /wheels/*.whl && rm -rf /wheels \
    && useradd --system --create-home --home-dir /data lrs
# Without LRS_DATABASE_URL the LRS keeps an SQLite file (lrs.db) in the working directory.
WORKDIR /data
USER lrs
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=2)"
CMD ["lrs", "serve", "--host", "0.0.0.0", "--port", "8000"]
