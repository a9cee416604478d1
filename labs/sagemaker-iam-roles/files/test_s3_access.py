"""Lesson 9.1, step 4: list the objects in the lab bucket.

In a SageMaker notebook this runs as the notebook's execution role. Run it the same way in
the notebook's terminal, as the role:

    labwright notebook-shell sagemaker-iam-roles MyNotebookInstance -- python3 files/test_s3_access.py [bucket]

In your own shell it runs with whatever credentials that shell has (the account's, which may
do anything), so there it proves nothing about the role.
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
