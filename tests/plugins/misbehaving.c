/*
 * misbehaving.c: test plugins with valid descriptors whose evaluate
 * callback fails in the ways the runner must survive. Built once per
 * behaviour with -DOC_TEST_BEHAVIOUR=N (build/host.am); the plugin's name
 * is the behaviour's name so each .so is a distinct plugin.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <outcomes/outcomes.h>

#define SEGFAULT 1
#define ABORT 2
#define HANG 3
#define GARBAGE 4
#define EXIT_EARLY 5
#define FAIL 6
#define LEAVES_CHILD 7
#define OVERFLOW 8

#if OC_TEST_BEHAVIOUR == SEGFAULT
#define PLUGIN_NAME "segfault"
#elif OC_TEST_BEHAVIOUR == ABORT
#define PLUGIN_NAME "abort"
#elif OC_TEST_BEHAVIOUR == HANG
#define PLUGIN_NAME "hang"
#elif OC_TEST_BEHAVIOUR == GARBAGE
#define PLUGIN_NAME "garbage"
#elif OC_TEST_BEHAVIOUR == EXIT_EARLY
#define PLUGIN_NAME "exit_early"
#elif OC_TEST_BEHAVIOUR == FAIL
#define PLUGIN_NAME "fail"
#elif OC_TEST_BEHAVIOUR == LEAVES_CHILD
#define PLUGIN_NAME "leaves_child"
#elif OC_TEST_BEHAVIOUR == OVERFLOW
#define PLUGIN_NAME "overflow"
#else
#error "define OC_TEST_BEHAVIOUR"
#endif

/* Writes 2 MiB of junk to every open descriptor above stderr: the result
 * pipe, and anything else the host failed to close. */
static void write_garbage(void)
{
    static unsigned char junk[65536];
    memset(junk, 0xA5, sizeof junk);
    for (int fd = 3; fd < 1024; fd++) {
        if (fcntl(fd, F_GETFD) < 0)
            continue;
        for (int i = 0; i < 32; i++)
            if (write(fd, junk, sizeof junk) < 0)
                break;
    }
}

/* Forks a child that sleeps ten minutes, holding what the plugin's
 * process has open (its result pipe among them), and evaluates as if
 * nothing happened: every value is the child's pid, every lower bound the
 * process group it was left in, so that a test can check both are gone. */
static int leave_child(oc_evaluation *evaluation, oc_error *error)
{
    pid_t child = fork();
    if (child == 0) {
        sleep(600);
        _exit(0);
    }
    if (child < 0)
        return oc_error_set(error, OC_ERROR_INVALID, "leaves_child: cannot fork");
    oc_indicator_series *output = oc_evaluation_output(evaluation, 0);
    if (output == NULL)
        return oc_error_set(error, OC_ERROR_INVALID, "leaves_child: no output");
    for (size_t t = 0; t < output->count; t++) {
        output->value[t] = (double)child;
        output->lower[t] = (double)getpgrp();
    }
    return OC_OK;
}

static int evaluate(oc_evaluation *evaluation, oc_error *error)
{
    (void)evaluation;
    switch (OC_TEST_BEHAVIOUR) {
    case SEGFAULT: {
        /* A real invalid write (not NULL, which UBSan would catch first):
         * a page mapped without access. */
        volatile int *forbidden = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (forbidden != MAP_FAILED)
            *forbidden = 1;
        break;
    }
    case ABORT:
        abort();
    case HANG:
        for (;;)
            pause();
    case GARBAGE:
        write_garbage();
        break;
    case EXIT_EARLY:
        _exit(3);
    case FAIL:
        /* A diagnostic on stdout, as plugin authors write them (no
         * newline: it must not wait for one to be seen). */
        printf("fail: looked for the population of %s", oc_evaluation_area_code(evaluation));
        return oc_error_set(error, OC_ERROR_INSUFFICIENT_DATA, "fail: population missing for %s",
                            oc_evaluation_area_code(evaluation));
    case LEAVES_CHILD:
        return leave_child(evaluation, error);
    case OVERFLOW: {
        /* Fills its series and one element more (a loop to <= count):
         * plausible values, which the host must not report. */
        oc_indicator_series *output = oc_evaluation_output(evaluation, 0);
        if (output == NULL)
            return oc_error_set(error, OC_ERROR_INVALID, "overflow: no output");
        for (size_t t = 0; t <= output->count; t++)
            output->value[t] = 12345.0;
        break;
    }
    }
    return OC_OK;
}

static const oc_input_spec inputs[] = {
    {"count", "people", "anything", 0, OC_AGGREGATE_SUM},
    {0},
};

static const oc_indicator_spec indicators[] = {
    {"value", "people", OC_NO_DIRECTION, "never computed", 0},
    {0},
};

static const oc_plugin_descriptor descriptor = {
    .struct_size = sizeof descriptor,
    .abi_major = OC_ABI_MAJOR,
    .abi_minor = OC_ABI_MINOR,
    .name = PLUGIN_NAME,
    .version = "0.0.1",
    .description = "test plugin that misbehaves on purpose",
    .license = "MIT",
    .inputs = inputs,
    .indicators = indicators,
    .evaluate = evaluate,
};

OC_PLUGIN_DEFINE(descriptor)
