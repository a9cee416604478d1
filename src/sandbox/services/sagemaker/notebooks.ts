/**
 * Notebook instances: their lifecycle (Pending -> InService -> Stopping -> Stopped, ...) and their
 * view. Transitions happen lazily: whoever looks after a transition's deadline sees its new status,
 * so no background work is needed and the clock (core.now()) alone decides.
 */
import { lookup } from '../../dict.js';
import type { SandboxCore } from '../../types.js';
import { notebookNotFound, validation } from './errors.js';
import { sagemakerState, type Notebook, type NotebookStatus } from './models.js';

export interface Notebooks {
  /** The notebook as of now, or undefined once a deletion has finished. */
  settle(notebook: Notebook): Notebook | undefined;
  /** Enters `now` and, after the notebook transition time, `then` (`null` deletes it). */
  transition(notebook: Notebook, now: NotebookStatus, then: NotebookStatus | null): void;
  require(name: string): Notebook;
  requireStatus(notebook: Notebook, allowed: NotebookStatus[], target: NotebookStatus): void;
  /** Every notebook as of now. */
  all(): Notebook[];
  add(notebook: Notebook): void;
}

export function notebooks(core: SandboxCore): Notebooks {
  const state = sagemakerState(core);
  const settle = (notebook: Notebook): Notebook | undefined => {
    if (notebook.next && core.now() >= notebook.next.at) {
      const { status, at } = notebook.next;
      delete notebook.next;
      if (status === null) {
        delete state().notebooks[notebook.name];
        core.store.changed();
        return undefined;
      }
      notebook.status = status;
      notebook.lastModifiedTime = new Date(at).toISOString();
      core.store.changed();
    }
    return notebook;
  };
  return {
    settle,
    transition(notebook, now, then) {
      notebook.status = now;
      notebook.lastModifiedTime = new Date(core.now()).toISOString();
      notebook.next = { status: then, at: core.now() + core.timing.notebookTransitionMs };
      core.store.changed();
    },
    require(name) {
      const found = lookup(state().notebooks, name);
      const notebook = found && settle(found);
      if (!notebook) throw notebookNotFound();
      return notebook;
    },
    requireStatus(notebook, allowed, target) {
      if (!allowed.includes(notebook.status)) {
        throw validation(
          `Status (${notebook.status}) not in ([${allowed.join(', ')}]). Unable to transition to (${target}) for Notebook Instance (${notebook.arn}).`,
        );
      }
    },
    all() {
      return Object.values(state().notebooks)
        .map((n) => settle(n))
        .filter((n): n is Notebook => n !== undefined);
    },
    add(notebook) {
      state().notebooks[notebook.name] = notebook;
      core.store.changed();
    },
  };
}

/** DescribeNotebookInstance's answer. */
export function notebookView(n: Notebook) {
  return {
    NotebookInstanceArn: n.arn,
    NotebookInstanceName: n.name,
    NotebookInstanceStatus: n.status,
    FailureReason: n.failureReason,
    Url: `${n.name.toLowerCase()}.notebook.${n.arn.split(':')[3]}.sagemaker.aws`,
    InstanceType: n.instanceType,
    SubnetId: n.subnetId,
    SecurityGroups: n.securityGroups,
    RoleArn: n.roleArn,
    KmsKeyId: n.kmsKeyId,
    NetworkInterfaceId: n.subnetId
      ? `eni-${n.arn.length.toString(16).padStart(17, '0')}`
      : undefined,
    LastModifiedTime: new Date(n.lastModifiedTime),
    CreationTime: new Date(n.creationTime),
    NotebookInstanceLifecycleConfigName: n.lifecycleConfigName,
    DirectInternetAccess: n.directInternetAccess,
    VolumeSizeInGB: n.volumeSizeInGB,
    AcceleratorTypes: n.acceleratorTypes,
    DefaultCodeRepository: n.defaultCodeRepository,
    AdditionalCodeRepositories: n.additionalCodeRepositories,
    RootAccess: n.rootAccess,
    PlatformIdentifier: n.platformIdentifier,
    InstanceMetadataServiceConfiguration: {
      MinimumInstanceMetadataServiceVersion: n.minimumImdsVersion,
    },
  };
}

/** ListNotebookInstances' summary of a notebook. */
export function notebookSummary(n: Notebook) {
  const v = notebookView(n);
  return {
    NotebookInstanceName: v.NotebookInstanceName,
    NotebookInstanceArn: v.NotebookInstanceArn,
    NotebookInstanceStatus: v.NotebookInstanceStatus,
    Url: v.Url,
    InstanceType: v.InstanceType,
    CreationTime: v.CreationTime,
    LastModifiedTime: v.LastModifiedTime,
    NotebookInstanceLifecycleConfigName: v.NotebookInstanceLifecycleConfigName,
    DefaultCodeRepository: v.DefaultCodeRepository,
    AdditionalCodeRepositories: v.AdditionalCodeRepositories,
  };
}
