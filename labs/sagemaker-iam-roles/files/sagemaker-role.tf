# Lesson 9.1, step 7: the execution role as infrastructure as code, in Terraform.
# The same role as sagemaker-role.yaml. Deploy on AWS with:
#   terraform init && terraform apply
# (labwright judges this file without Terraform: no terraform binary is needed for the step.)

variable "bucket" {
  type        = string
  default     = "my-bucket"
  description = "The bucket that holds training data and model artifacts"
}

data "aws_partition" "current" {}

# Who may assume the role: SageMaker, and no one else.
data "aws_iam_policy_document" "sagemaker_trust" {
  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["sagemaker.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "sagemaker_execution" {
  name               = "SageMakerExecutionRoleFromTerraform"
  assume_role_policy = data.aws_iam_policy_document.sagemaker_trust.json
}

resource "aws_iam_role_policy_attachment" "logs" {
  role       = aws_iam_role.sagemaker_execution.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/CloudWatchLogsFullAccess"
}

resource "aws_iam_role_policy_attachment" "ecr" {
  role       = aws_iam_role.sagemaker_execution.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly"
}

# Objects *and* listing, on one bucket only: the fix for the lesson's gap.
resource "aws_iam_role_policy" "s3_access" {
  name = "SageMakerS3Access"
  role = aws_iam_role.sagemaker_execution.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "ReadWriteObjects"
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:PutObject"]
        Resource = "arn:${data.aws_partition.current.partition}:s3:::${var.bucket}/*"
      },
      {
        Sid      = "ListTheBucket"
        Effect   = "Allow"
        Action   = "s3:ListBucket"
        Resource = "arn:${data.aws_partition.current.partition}:s3:::${var.bucket}"
      },
    ]
  })
}

output "role_arn" {
  description = "Pass this to --role-arn when you create a notebook instance or training job"
  value       = aws_iam_role.sagemaker_execution.arn
}
