#!/usr/bin/env bash
# submit_study.sh — runs a caseflow study on a Slurm cluster as a job array
# plus a merge job that starts only when every task succeeded.
#
#   configs/slurm/submit_study.sh STUDY.cfg OUTDIR [TASKS] [extra sbatch args...]
#
# Task K of the array runs `caseflow run STUDY --task K --tasks TASKS`
# (K comes from SLURM_ARRAY_TASK_ID) and writes OUTDIR/NAME.task-K.h5; the
# dependent job merges them into OUTDIR/NAME.h5, refusing if any trial is
# missing. Prints "ARRAY_JOB_ID MERGE_JOB_ID" on stdout.
#
# HDF5_USE_FILE_LOCKING=FALSE: HDF5's file locks fail or hang on many network
# file systems (NFS, Lustre) that cluster nodes share; each task writes its
# own file, so the locks protect nothing here.
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: $0 STUDY.cfg OUTDIR [TASKS] [sbatch args...]" >&2
  exit 2
fi
study=$(realpath "$1"); outdir=$(realpath -m "$2"); tasks=${3:-4}
shift $(( $# >= 3 ? 3 : 2 ))
bin=${CASEFLOW_BIN:-$(cd "$(dirname "$0")/../.." && pwd)/build/caseflow}
[ -x "$bin" ] || { echo "$0: caseflow binary not found at $bin (make build, or set CASEFLOW_BIN)" >&2; exit 2; }
name=$(basename "$study" .cfg)
mkdir -p "$outdir"
export HDF5_USE_FILE_LOCKING=FALSE

array_id=$(sbatch --parsable --array="0-$((tasks - 1))" --job-name="caseflow-$name" \
  --output="$outdir/slurm-%A_%a.out" --export=ALL "$@" \
  --wrap "exec '$bin' run '$study' --tasks $tasks --threads \${SLURM_CPUS_PER_TASK:-1} \
          -o '$outdir/$name.task-'\${SLURM_ARRAY_TASK_ID}'.h5' --force --quiet")
array_id=${array_id%%;*}

merge_id=$(sbatch --parsable --dependency="afterok:$array_id" --job-name="caseflow-$name-merge" \
  --output="$outdir/slurm-%j-merge.out" --export=ALL "$@" \
  --wrap "exec '$bin' merge '$outdir/$name.h5' '$outdir/$name'.task-*.h5 --force")
merge_id=${merge_id%%;*}
echo "$array_id $merge_id"
