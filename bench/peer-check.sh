#!/usr/bin/env bash
# The peer of `labwright check sagemaker-iam-roles`: the same checks of Lesson 9.1 written the way
# a course author would without labwright, as aws CLI calls and jq. Used by bench/check.ts.
#
#   bench/peer-check.sh http://127.0.0.1:4566      # exit 0 when every required check passes
#
# Permissions are judged with iam simulate-principal-policy (a bash script cannot evaluate
# policies itself); the optional CloudFormation step is left out (it needs cfn-lint, not aws).
set -uo pipefail

endpoint=${1:?usage: peer-check.sh ENDPOINT}
export AWS_ENDPOINT_URL=$endpoint AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-test}
export AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-test} AWS_DEFAULT_REGION=${AWS_DEFAULT_REGION:-us-east-1}

role=SageMakerExecutionRole bucket=my-bucket notebook=MyNotebookInstance
job=lesson-9-1-training-job trail=lesson-9-1-trail
failed=0

pass() { echo "✓ $1"; }
fail() { echo "✗ $1: $2"; failed=1; }

# intro / whoami
account=$(aws sts get-caller-identity --query Account --output text) &&
  [[ $account =~ ^[0-9]{12}$ ]] && pass whoami || fail whoami "no account"
role_arn=arn:aws:iam::$account:role/$role

# create-role
if role_json=$(aws iam get-role --role-name "$role" --output json 2>/dev/null); then
  pass role-exists
  trust=$(jq -c '.Role.AssumeRolePolicyDocument' <<<"$role_json")
  if jq -e '[.Statement[] | select(.Effect == "Allow")] as $s
      | ($s | any(.Principal.Service == "sagemaker.amazonaws.com" or (.Principal.Service | arrays | index("sagemaker.amazonaws.com"))))
        and ($s | all(.Principal.AWS != "*"))' <<<"$trust" >/dev/null; then
    pass trusts-sagemaker
  else
    fail trusts-sagemaker "trust policy: $trust"
  fi
else
  fail role-exists "no role $role"
  fail trusts-sagemaker "no role $role"
fi

# simulate ROLE-ARN EXPECTED ACTION... -- RESOURCE: every decision must be EXPECTED
simulate() {
  local expected=$1 resource=$2
  shift 2
  local decisions
  decisions=$(aws iam simulate-principal-policy --policy-source-arn "$role_arn" \
    --action-names "$@" --resource-arns "$resource" \
    --query 'EvaluationResults[].EvalDecision' --output text 2>/dev/null) || return 1
  for decision in $decisions; do
    if [[ $expected == allowed ]]; then [[ $decision == allowed ]] || return 1
    else [[ $decision != allowed ]] || return 1; fi
  done
}

simulate allowed "arn:aws:s3:::$bucket/*" s3:GetObject s3:PutObject &&
  pass s3-object-access || fail s3-object-access "objects in $bucket not readable and writable"
simulate allowed "arn:aws:logs:us-east-1:$account:log-group:/aws/sagemaker/TrainingJobs:*" \
  logs:CreateLogGroup logs:CreateLogStream logs:PutLogEvents &&
  pass logs-access || fail logs-access "cannot write logs"
simulate allowed "*" ecr:GetAuthorizationToken &&
  simulate allowed "arn:aws:ecr:us-east-1:$account:repository/my-training-image" ecr:BatchGetImage ecr:GetDownloadUrlForLayer &&
  pass ecr-pull || fail ecr-pull "cannot pull from ECR"

# assign-role
notebook_json=$(aws sagemaker describe-notebook-instance --notebook-instance-name "$notebook" --output json 2>/dev/null)
if jq -e --arg arn "$role_arn" '.RoleArn == $arn and (.NotebookInstanceStatus | IN("Pending", "InService"))' <<<"${notebook_json:-null}" >/dev/null; then
  pass notebook-uses-role
else
  fail notebook-uses-role "notebook $notebook missing, stopped or with another role"
fi

# test-access
aws s3api head-bucket --bucket "$bucket" >/dev/null 2>&1 && pass bucket-exists || fail bucket-exists "no bucket $bucket"
objects=$(aws s3api list-objects-v2 --bucket "$bucket" --query 'Contents[].Key' --output text 2>/dev/null | wc -w)
simulate allowed "arn:aws:s3:::$bucket" s3:ListBucket && [[ ${objects:-0} -ge 1 ]] &&
  pass list-as-role || fail list-as-role "the role cannot list $bucket, or it is empty"

# cloudwatch-logs
status=$(aws sagemaker describe-training-job --training-job-name "$job" --query TrainingJobStatus --output text 2>/dev/null)
[[ $status == Completed ]] && pass training-completed || fail training-completed "status ${status:-missing}"
# The CLI pages through results and applies --query to each page: count words, not lengths.
events=$(aws logs filter-log-events --log-group-name /aws/sagemaker/TrainingJobs \
  --log-stream-name-prefix "$job/" --query 'events[].eventId' --output text 2>/dev/null | wc -w)
[[ ${events:-0} -ge 1 ]] && pass training-logs || fail training-logs "no log events for $job"

# least-privilege
attached=$(aws iam list-attached-role-policies --role-name "$role" --query 'AttachedPolicies[].PolicyName' --output text 2>/dev/null)
if [[ $attached != *AdministratorAccess* && $attached != *AmazonS3FullAccess* ]] &&
  simulate denied "arn:aws:s3:::another-teams-bucket/secrets.csv" s3:GetObject &&
  simulate denied "arn:aws:s3:::$bucket" s3:DeleteBucket &&
  simulate denied "arn:aws:iam::$account:user/intruder" iam:CreateUser; then
  pass no-broad-grants
else
  fail no-broad-grants "broad grants: $attached"
fi
logging=$(aws cloudtrail describe-trails --query 'trailList[].Name' --output text 2>/dev/null)
any_logging=false
for name in $logging; do
  [[ $(aws cloudtrail get-trail-status --name "$name" --query IsLogging --output text) == True ]] && any_logging=true
done
$any_logging && pass trail-logging || fail trail-logging "no trail is logging"
assumed=$(aws cloudtrail lookup-events --lookup-attributes "AttributeKey=ResourceName,AttributeValue=$role_arn" \
  --query "Events[?EventName=='AssumeRole'].EventId" --output text 2>/dev/null | wc -w)
[[ ${assumed:-0} -ge 1 ]] && pass role-use-recorded || fail role-use-recorded "no AssumeRole events for $role"

exit $failed
