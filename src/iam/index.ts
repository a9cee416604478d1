/** IAM policy evaluation and validation, shared by the sandbox and the check library. */
export {
  evaluateRequest,
  type Decision,
  type Evaluation,
  type EvaluationInput,
  type IdentityPolicyInput,
  type StatementVerdict,
} from './evaluate.js';
export { denialMessage, type DenyReason } from './messages.js';
export { validatePolicyDocument, type PolicyKind, type PolicyProblem } from './validate.js';
