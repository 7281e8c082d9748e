#!/bin/bash
# caseflow_task.sh — one task of a study's job array, submitted by
# submit_study.sh and resubmit_failed.sh (which set CASEFLOW_OUTDIR).
# Runs slice K = SLURM_ARRAY_TASK_ID - BASE of the study with --resume: a
# requeued or rerun task continues from the file it wrote when stopped.
set -euo pipefail
: "${CASEFLOW_OUTDIR:?set by submit_study.sh}"
# shellcheck source=/dev/null
source "$CASEFLOW_OUTDIR/caseflow-submit.env"   # SCRIPTS: where caseflow_jobs.sh is
# shellcheck source=/dev/null
source "$SCRIPTS/caseflow_jobs.sh"
jobs_load_env "$CASEFLOW_OUTDIR"
jobs_load_modules
k=$((SLURM_ARRAY_TASK_ID - BASE))
echo "caseflow task $k of $TASKS (array index $SLURM_ARRAY_TASK_ID, job ${SLURM_JOB_ID:-?}, restart ${SLURM_RESTART_COUNT:-0}) on $(hostname)"
# exec: caseflow itself receives Slurm's SIGTERM (time limit, requeue,
# scancel) and writes its incomplete file before the SIGKILL.
exec "$BIN" run "$STUDY" --task "$k" --tasks "$TASKS" -o "$(jobs_task_file "$k")" --resume \
  --records "$RECORDS" --progress-every "$PROGRESS"
