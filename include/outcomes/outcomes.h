/*
 * outcomes/outcomes.h: the one header a plugin author includes. It pulls in
 * the whole public API of liboutcomes: nothing outside include/outcomes/ is
 * part of it.
 */
#ifndef OUTCOMES_OUTCOMES_H
#define OUTCOMES_OUTCOMES_H

#include <outcomes/common.h>
#include <outcomes/plugin.h>
#include <outcomes/evaluation.h>
#include <outcomes/stats.h>

#endif
