/*
 * config_snapshot.h — the scenario key run.snapshot: the CSV state a run
 * starts from (docs/SNAPSHOT.md), kept inside the scenario's own text.
 *
 *   run: { snapshot = "snapshot_today.csv"; };   # relative to the scenario file
 *
 * The CSV's content must travel with the results (resume, merge and a
 * study's digest reload a scenario from its stored text, and the file may
 * have changed or be elsewhere by then), so on first reading the loader
 * appends it to the scenario's text as a group the loader reads back:
 *
 *   # --- snapshot stored by caseflow ---
 *   snapshot_stored: { source = "snapshot_today.csv"; csv = "kind,worker,...\n..."; };
 *
 * A text whose snapshot_stored names the same source as run.snapshot is
 * read from the stored copy and never from the file system; a different
 * run.snapshot (e.g. -s run.snapshot=other.csv, or caseflow run --snapshot)
 * reads the new file and replaces the stored copy.
 */
#ifndef CASEFLOW_CONFIG_SNAPSHOT_H
#define CASEFLOW_CONFIG_SNAPSHOT_H

#include <libconfig.h>
#include "scenario/config.h"

struct loader;

#define CONFIG_SNAPSHOT_MARKER "\n# --- snapshot stored by caseflow ---\n"

/* The schema's reader for run.snapshot and snapshot_stored: nothing to do
 * then (config_snapshot_read runs once the staff, phases and profiles the
 * rows name are known); returns 0. */
int config_snapshot_section(struct loader *ld, const config_setting_t *s, config_scenario *sc);

/* Reads the snapshot cfg names (none: sc->snapshot stays NULL) into
 * sc->snapshot, and sets sc->model.snapshot to it. *append is set to the
 * text to put at the end of the scenario text (after cutting it at
 * CONFIG_SNAPSHOT_MARKER) when the CSV was read from a file, else NULL.
 * Returns 0, or -1 with err filled: "file.csv:line:column (header): what",
 * or "scenario:line: run.snapshot: ..." when the file cannot be read. */
int config_snapshot_read(const config_t *cfg, const char *name, config_scenario *sc, char **append,
                         config_error *err);

#endif
