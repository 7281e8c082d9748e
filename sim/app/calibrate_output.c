/*
 * calibrate_output.c — what calibration hands back: the report of a fit
 * (figures, fitted values, whether each target was reached) and the
 * calibrated scenario, the base file's text with the fitted values set,
 * written like every other output (never over a file without --force).
 *
 * Apart from calibrate.c (reading calibration files, evaluating points, the
 * fit) because it only formats: it needs no runner and no GSL.
 */
#include "app/calibrate.h"
#include "output/outpath.h"

#include <errno.h>
#include <libconfig.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- report ------------------------------------------------------------ */

void calibrate_report(FILE *out, const calibrate_spec *cs, const calibrate_result *res)
{
    fprintf(out, "calibration %s: base %s, %d parameter(s), %d figure(s), %d replications per evaluation, seed %llu "
                 "(the same seeds at every evaluation)\n",
            cs->path, cs->base, cs->param_count, cs->target_count, cs->replications, (unsigned long long)cs->seed);
    fprintf(out, "%d iterations (%s), %d evaluations, %llu trials in %.1f s; distance %.6g\n", res->iterations,
            res->converged ? "converged" : "stopped at max_iterations, not converged", res->evaluations,
            (unsigned long long)res->trials, res->seconds, res->distance);
    fprintf(out, "fitted parameters:\n");
    for (int i = 0; i < cs->param_count; i++) {
        const calibrate_param *p = &cs->param[i];
        fprintf(out, "  %-36s %12.6g   bounds [%g, %g], start %g, base %g%s\n", p->key, res->fitted[i], p->lower,
                p->upper, p->start, p->base_value,
                res->at_bound[i] < 0 ? "   AT LOWER BOUND" : res->at_bound[i] > 0 ? "   AT UPPER BOUND" : "");
    }
    fprintf(out, "figures: simulated mean [95%% CI] vs observed, misfit (allowed):\n");
    for (int t = 0; t < cs->target_count; t++) {
        const calibrate_figure *f = &res->figure[t];
        fprintf(out, "  %-30s %12.6g [%.6g, %.6g]  observed %-10.6g  misfit %+.4g (%.4g)  %s\n", cs->target[t].metric,
                f->mean, f->ci_low, f->ci_high, cs->target[t].observed, f->misfit, f->allowed,
                f->reached ? "ok" : "NOT REACHED");
    }
}

/* ---- the calibrated scenario ------------------------------------------- */

static void put_double(FILE *f, double v)
{
    /* The shortest text that reads back as v, without an exponent unless
     * the number is very small or large (20.0, not 2e+01). */
    char buf[64];
    int plain = fabs(v) >= 1e-4 && fabs(v) < 1e15;
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, v);
        if (strtod(buf, NULL) == v && (!plain || !strchr(buf, 'e')))
            break;
    }
    /* Keep it a float for libconfig: 14 would read back as an integer. */
    if (!strpbrk(buf, ".eEni"))
        strcat(buf, ".0");
    fputs(buf, f);
}

static void put_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p == '\n')
            fputs("\\n", f);
        else if (*p == '\t')
            fputs("\\t", f);
        else if (*p < 0x20 || *p == 0x7f)
            fprintf(f, "\\x%02x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

static void put_value(FILE *f, const config_setting_t *s, int depth);

static void indent(FILE *f, int depth)
{
    for (int i = 0; i < depth; i++)
        fputs("  ", f);
}

static void put_members(FILE *f, const config_setting_t *g, int depth)
{
    for (int i = 0; i < config_setting_length(g); i++) {
        const config_setting_t *m = config_setting_get_elem(g, (unsigned)i);
        if (depth == 0 && i > 0)
            fputc('\n', f);
        indent(f, depth);
        fprintf(f, "%s = ", config_setting_name(m));
        put_value(f, m, depth);
        fputs(";\n", f);
    }
}

static void put_value(FILE *f, const config_setting_t *s, int depth)
{
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_GROUP:
        fputs("{\n", f);
        put_members(f, s, depth + 1);
        indent(f, depth);
        fputc('}', f);
        break;
    case CONFIG_TYPE_ARRAY:
        fputs("[ ", f);
        for (int i = 0; i < config_setting_length(s); i++) {
            if (i)
                fputs(", ", f);
            put_value(f, config_setting_get_elem(s, (unsigned)i), depth + 1);
        }
        fputs(" ]", f);
        break;
    case CONFIG_TYPE_LIST:
        fputs("(\n", f);
        for (int i = 0; i < config_setting_length(s); i++) {
            indent(f, depth + 1);
            put_value(f, config_setting_get_elem(s, (unsigned)i), depth + 1);
            fputs(i + 1 < config_setting_length(s) ? ",\n" : "\n", f);
        }
        indent(f, depth);
        fputc(')', f);
        break;
    case CONFIG_TYPE_INT: fprintf(f, "%d", config_setting_get_int(s)); break;
    case CONFIG_TYPE_INT64: fprintf(f, "%lldL", config_setting_get_int64(s)); break;
    case CONFIG_TYPE_FLOAT: put_double(f, config_setting_get_float(s)); break;
    case CONFIG_TYPE_STRING: put_string(f, config_setting_get_string(s)); break;
    case CONFIG_TYPE_BOOL: fputs(config_setting_get_bool(s) ? "true" : "false", f); break;
    default: break;
    }
}

/* Sets key.path = v (a float) in cfg, making groups on the way; an existing
 * float keeps its place, anything else is replaced. */
static int set_number(config_t *cfg, const char *path, double v)
{
    char work[CALIBRATE_KEY_LEN];
    snprintf(work, sizeof work, "%s", path);
    config_setting_t *parent = config_root_setting(cfg);
    char *save = NULL, *part = strtok_r(work, ".", &save), *next;
    while (part && (next = strtok_r(NULL, ".", &save)) != NULL) {
        config_setting_t *g = config_setting_get_member(parent, part);
        if (!g)
            g = config_setting_add(parent, part, CONFIG_TYPE_GROUP);
        if (!g || config_setting_type(g) != CONFIG_TYPE_GROUP)
            return -1;
        parent = g;
        part = next;
    }
    if (!part)
        return -1;
    config_setting_t *s = config_setting_get_member(parent, part);
    if (s && config_setting_type(s) == CONFIG_TYPE_FLOAT)
        return config_setting_set_float(s, v) == CONFIG_TRUE ? 0 : -1;
    if (s)
        config_setting_remove(parent, part);
    s = config_setting_add(parent, part, CONFIG_TYPE_FLOAT);
    return s && config_setting_set_float(s, v) == CONFIG_TRUE ? 0 : -1;
}

/* Text for a comment line: no control characters. */
static void put_comment_text(FILE *f, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        fputc(*p < 0x20 || *p == 0x7f ? '?' : *p, f);
}

int calibrate_same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static void write_header(FILE *f, const calibrate_spec *cs, const calibrate_result *res, const char *out)
{
    fputs("# Calibrated scenario written by caseflow calibrate from ", f);
    put_comment_text(f, cs->path);
    fputs("\n# The base scenario ", f);
    put_comment_text(f, cs->base);
    fputs(" with the fitted values below (its comments are not\n# carried over); run it with: caseflow run ", f);
    put_comment_text(f, out);
    fputs("\n#\n# Fitted (bounds):\n", f);
    int shares = 0;
    for (int i = 0; i < cs->param_count; i++) {
        fputs("#   ", f);
        put_comment_text(f, cs->param[i].key);
        fprintf(f, " = %.10g  [%g, %g]\n", res->fitted[i], cs->param[i].lower, cs->param[i].upper);
        shares |= cs->param[i].share >= 0;
    }
    if (shares)
        fputs("#   (the exit shares not fitted take the rest in the base's proportions)\n", f);
    fprintf(f, "# Figures: simulated mean [95 %% CI] over %d replications (seed %llu) vs observed:\n",
            cs->replications, (unsigned long long)cs->seed);
    for (int t = 0; t < cs->target_count; t++) {
        const calibrate_figure *fg = &res->figure[t];
        fprintf(f, "#   %s %.6g [%.6g, %.6g] vs %.6g\n", cs->target[t].metric, fg->mean, fg->ci_low, fg->ci_high,
                cs->target[t].observed);
    }
    fputs("\n", f);
}

int calibrate_write(const calibrate_spec *cs, const calibrate_result *res, const char *out, int force, char *err,
                    size_t err_size)
{
    if (calibrate_same_file(out, cs->base) || calibrate_same_file(out, cs->path)) {
        snprintf(err, err_size, "%s: refusing to replace the %s with the calibrated scenario; choose another -o", out,
                 calibrate_same_file(out, cs->base) ? "base scenario" : "calibration file");
        return CF_EXIT_OUTPUT;
    }
    /* Checked again at the end of the fit: only a regular file (or a link
     * to one, which stays) is ever replaced (output/outpath.h). */
    struct stat sb;
    char resolved[PATH_MAX];
    if (outpath_check(out, force, resolved, sizeof resolved, err, err_size) != CF_EXIT_OK)
        return CF_EXIT_OUTPUT;
    out = resolved;
    /* The base's settings as a tree, with the fitted values set. */
    config_t cfg;
    config_init(&cfg);
    config_set_auto_convert(&cfg, 0);
    int rc = CF_EXIT_OUTPUT;
    char tmp[PATH_MAX] = "";
    FILE *f = NULL;
    if (config_read_string(&cfg, cs->base_sc.text) != CONFIG_TRUE) {
        snprintf(err, err_size, "%s: cannot re-read the base scenario", cs->base);
        goto out;
    }
    {
        char keys[CALIBRATE_MAX_SETTINGS][CALIBRATE_KEY_LEN];
        double values[CALIBRATE_MAX_SETTINGS];
        int n = calibrate_settings(cs, res->fitted, keys, values);
        for (int i = 0; i < n; i++) {
            if (set_number(&cfg, keys[i], values[i]) != 0) {
                snprintf(err, err_size, "%s: cannot set %s in the calibrated scenario", out, keys[i]);
                goto out;
            }
        }
    }
    if (snprintf(tmp, sizeof tmp, "%s.tmp-XXXXXX", out) >= (int)sizeof tmp) {
        snprintf(err, err_size, "%s: path too long", out);
        tmp[0] = '\0';
        goto out;
    }
    int fd = mkstemp(tmp);
    if (fd < 0) {
        snprintf(err, err_size, "%s: cannot create: %s", out, strerror(errno));
        tmp[0] = '\0';
        goto out;
    }
    mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, 0666 & ~mask);
    f = fdopen(fd, "w");
    if (!f) {
        snprintf(err, err_size, "%s: cannot write: %s", out, strerror(errno));
        close(fd);
        goto out;
    }
    write_header(f, cs, res, out);
    put_members(f, config_root_setting(&cfg), 0);
    int werr = ferror(f) || fflush(f) != 0 || fsync(fileno(f)) != 0;
    if (fclose(f) != 0)
        werr = 1;
    f = NULL;
    if (werr) {
        snprintf(err, err_size, "%s: cannot write: %s", out, strerror(errno ? errno : EIO));
        goto out;
    }
    /* It must load as a scenario and hold the fitted values. */
    {
        config_scenario sc;
        config_error cerr;
        if (config_load(&sc, tmp, NULL, 0, &cerr) != 0) {
            snprintf(err, err_size, "internal error: the calibrated scenario does not load: %s", cerr.message);
            rc = CF_EXIT_INTERNAL;
            goto out;
        }
        for (int i = 0; i < cs->param_count; i++) {
            double v;
            if (config_get_number(&sc, cs->param[i].key, &v) != 0 || v != res->fitted[i]) {
                snprintf(err, err_size, "internal error: the calibrated scenario does not hold %s = %.17g",
                         cs->param[i].key, res->fitted[i]);
                config_scenario_free(&sc);
                rc = CF_EXIT_INTERNAL;
                goto out;
            }
        }
        config_scenario_free(&sc);
    }
    if (force) {
        if (rename(tmp, out) != 0) {
            snprintf(err, err_size, "%s: cannot write: %s", out, strerror(errno));
            goto out;
        }
    } else if (link(tmp, out) == 0) {
        /* link never replaces: a file that appeared meanwhile is kept. */
        unlink(tmp);
    } else if (errno == EEXIST || stat(out, &sb) == 0) {
        snprintf(err, err_size, "%s: output file exists; use --force to replace it", out);
        goto out;
    } else if (rename(tmp, out) != 0) {
        /* A file system without hard links. */
        snprintf(err, err_size, "%s: cannot write: %s", out, strerror(errno));
        goto out;
    }
    tmp[0] = '\0';
    rc = 0;
out:
    if (f)
        fclose(f);
    if (tmp[0])
        unlink(tmp);
    config_destroy(&cfg);
    return rc;
}
