FROM python:3.11-slim-bookworm

# WeasyPrint needs Pango (and its fonts) from the system. fonts-noto-core: the scripts of the letters in the
# household's language that DejaVu lacks or sets poorly (Arabic, Persian, Ethiopic for Tigrinya, Hebrew; issue 14 §3).
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    fonts-noto-core \
 && rm -rf /var/lib/apt/lists/*

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 STATIC_ROOT=/app/staticfiles
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN DEBUG=false SECRET_KEY=collectstatic-only ALLOWED_HOSTS=localhost VAR_DIR=/tmp/build python manage.py collectstatic --no-input \
 && useradd --create-home avhysning && mkdir -p /data && chown avhysning /data
USER avhysning
EXPOSE 8000
CMD ["gunicorn", "avhysning.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
