# The production image: web, worker and beat all run from it (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    STATIC_ROOT=/app/staticfiles

WORKDIR /app
RUN pip install --no-cache-dir uv==0.13.8 \
    && useradd --system --home-dir /app --shell /usr/sbin/nologin earshot
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-default-groups
COPY . .
# The translation catalogues: .mo files are built from the committed .po files.
RUN python -m organizing.translations
# collectstatic reads settings, which need URLs to parse; nothing connects at build time.
RUN DJANGO_DEBUG=true DATABASE_URL=postgres://build/none REDIS_URL=redis://build:6379/0 \
    python manage.py collectstatic --noinput -v 0
USER earshot
EXPOSE 8000
CMD ["gunicorn", "organizing.wsgi", "--bind", "0.0.0.0:8000", "--workers", "2", "--access-logfile", "-", "--graceful-timeout", "10", "--logger-class", "organizing.logs.GunicornLogger"]
