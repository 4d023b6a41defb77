"""gunicorn settings for `make serve`, from the machine and the environment."""

from __future__ import annotations

import multiprocessing
import os

cores = multiprocessing.cpu_count()
bind = os.environ.get("BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
# Rendering PDFs is CPU-bound (in child processes, one at a time per web
# process): one process per core plus one, eight threads each for the requests
# that wait on the database, the cache, or a PDF the worker is rendering (a
# download waits up to WIIFM_PDF_WAIT_SECONDS), so that pages and /healthz
# always find a free thread. With four, 16 busy clients (make bench-worst)
# left the load balancer's /healthz queued behind them: p95 3.1 s and
# time-outs; with eight, 355 ms on the same loaded machine.
workers = int(os.environ.get("WEB_CONCURRENCY", cores + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
worker_class = "gthread"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))  # a large PDF renders in seconds
graceful_timeout = 30
keepalive = 5
# Load the app once in the master: workers fork from it, so a recycled worker
# is ready at once instead of importing Django again (WeasyPrint is only
# imported by the PDF fork server each worker starts: planner.render_child).
preload_app = True
# Recycle workers now and then, at different moments, to bound memory growth.
# GUNICORN_MAX_REQUESTS=0 turns recycling off (`make soak` measures the growth).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = max_requests // 10
accesslog = "-" if os.environ.get("GUNICORN_ACCESS_LOG") else None
# Personal links are secrets: the access log shows /a/…/, /p/…/ and /cal/….ics.
logger_class = "wiifm_site.gunicorn_logging.TokenHidingLogger"
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
