"""Infrastructure-as-code misconfiguration scanning (Terraform, CloudFormation, Kubernetes, Dockerfile, Compose)."""
