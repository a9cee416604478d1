"""Lesson 9.1, step 4: list the objects in the lab bucket.

In a SageMaker notebook this runs as the notebook's execution role. Here it runs with
whatever credentials your shell has (the sandbox's, when you use the export lines
labwright shows), so `labwright check` judges what the role itself may do.

    python3 test_s3_access.py [bucket]
"""

import sys

import boto3

bucket = sys.argv[1] if len(sys.argv) > 1 else "my-bucket"

# Access S3 using the credentials of this environment (the role, in a notebook)
s3 = boto3.client("s3")

# List objects in the bucket
response = s3.list_objects_v2(Bucket=bucket)
for obj in response.get("Contents", []):
    print(obj["Key"])
