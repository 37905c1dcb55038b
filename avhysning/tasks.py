from celery import shared_task


@shared_task(soft_time_limit=10, time_limit=20)
def ping(value: str = "pong") -> str:
    """Round trip through the broker; used by the health check and the broker test."""
    return value
