"""The ingress: LinkedIn's pushes come in here and leave as typed events on RabbitMQ."""
