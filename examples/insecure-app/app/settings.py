"""Settings for the insecure demo app. Do not copy: every value here is a bad idea."""

import os

DEBUG = True
SECRET_KEY = "django-insecure-9f$k2!x@m7q#p1z&w8r^t5y(u3i)o0e"
STRIPE_API_KEY = "sk_live_hGAkWvj7FAc9QeWJKY40uvSw"
GITHUB_TOKEN = "ghp_MFLZDe1f8rESQedUStPKR0CsTy4Qwb8DwkNh"
SLACK_BOT_TOKEN = "xoxb-703423667127-6842684656321-ljoQoaF1LlqsajAIxNKu8iS2"
ALLOWED_HOSTS = ["*"]

# A placeholder that secret scanners must NOT report:
SENDGRID_API_KEY = os.environ.get("SENDGRID_API_KEY", "<your-sendgrid-key>")
