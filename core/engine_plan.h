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
 * are left in it for the caller to close. pending (NULL, or one slot per
 * store) holds the stores whose readers the caller started
 * (oc__store_open_contained_start; a slot with a NULL path was not):
 * one this plan needs is finished into stores, and one not started is
 * read now, as its slot's without_area_names says. Errors name the file,
 * section and key (OC_ERROR_CONFIG), or the store (other statuses). */
int oc__metric_plan_build(const oc__config *config, oc__config_metric *metric,
                          const oc__plugin *plugin, const char *period_text,
                          oc__store **stores, oc__store_pending *pending,
                          oc__metric_plan *plan, oc_error *error);

/* The store a metric reads first (its own, or the first global one), or
 * config->store_count when it names none: the store whose reader a caller
 * may start early. */
size_t oc__plan_first_store(const oc__config *config, const oc__config_metric *metric);

/* Sets error to cause's message after the key that first named store
 * number `store` (an index into config->stores): `[outcomes] store` when
 * the global list holds it, else the `store` of the first metric section
 * naming it, so "demo.ini: [outcomes] store: wirral.h5: No such file or
 * directory". The status stays cause's: a store that cannot be used is a
 * data error (status 4, docs/exit-status.md), not a configuration error,
 * though the line says where the configuration named it. cause may be
 * error itself. Returns that status. */
int oc__plan_store_error(const oc__config *config, size_t store, const oc_error *cause,
                         oc_error *error);

#endif
