provider "aws" {
  region = var.region
}

variable "region" {
  default = "eu-west-1"
}

variable "admin_cidr" {
  default = "0.0.0.0/0"
}

resource "aws_s3_bucket" "orders_exports" {
  bucket = "insecure-app-orders-exports"
  acl    = "public-read"
}

resource "aws_security_group" "admin" {
  name        = "orders-admin"
  description = "SSH from anywhere"

  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [var.admin_cidr]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_db_instance" "orders" {
  identifier          = "orders"
  engine              = "postgres"
  instance_class      = "db.t3.micro"
  allocated_storage   = 20
  username            = "app"
  password            = "Sup3rS3cretPassw0rd"
  publicly_accessible = true
  storage_encrypted   = false
  skip_final_snapshot = true
}

resource "aws_iam_policy" "orders_admin" {
  name = "orders-admin"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "*"
      Resource = "*"
    }]
  })
}
