#pragma once
// The long-running part: when to reconcile. Every --interval, on every batch of
// lines from the notify FIFO (and once more ~100 ms later: keepalived may write the
// line before or after it changes IPVS), on SIGHUP, and when a held service's
// hold-down runs out (Mirror::next_deadline); SIGTERM/SIGINT end it.
#include "log.hpp"
#include "mirror.hpp"
#include "options.hpp"

namespace mirror {

// Blocks SIGTERM, SIGINT and SIGHUP in the calling thread, so that signalfd gets them;
// to call before any other thread or work.
void block_signals();

// Runs until SIGTERM/SIGINT: kExitOk then. kExitFailure if the FIFO or the timers
// cannot be set up. The FULLNAT configuration is left in place either way.
int run_daemon(const Options &opts, Mirror &mirror, Log &log);

}  // namespace mirror
