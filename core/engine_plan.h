/*
 * engine_plan.h: building a metric's plan from the configuration, the store
 * and the loaded plugin (see engine.h for the plan itself).
 */
#ifndef OC_ENGINE_PLAN_H
#define OC_ENGINE_PLAN_H

#include "configuration.h"
#include "engine.h"
#include "plugin_loader.h"
#include "store.h"

/* Validates metric against the plugin and the store and fills plan (the
 * caller frees it with oc__metric_plan_free, also after a failure).
 * period_text is the evaluation period ("latest", "2016Q4", ...): pass
 * config->period_text itself when it comes from the configuration (errors
 * then name [outcomes] period), any other string for --period. stores
 * is a cache with one slot per config->stores entry: stores opened here
 * are left in it for the caller to close. Errors name the file, section
 * and key (OC_ERROR_CONFIG), or the store (other statuses). */
int oc__metric_plan_build(const oc__config *config, oc__config_metric *metric,
                          const oc__plugin *plugin, const char *period_text,
                          oc__store **stores, oc__metric_plan *plan, oc_error *error);

#endif
