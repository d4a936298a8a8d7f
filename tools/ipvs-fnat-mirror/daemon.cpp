#include "daemon.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>

#include "hold.hpp"
#include "notify.hpp"

namespace mirror {
namespace {

constexpr long kFollowUpMs = 100;

// Owns one descriptor for the daemon's lifetime.
class Fd {
public:
	explicit Fd(int fd = -1) : fd_(fd) {}
	~Fd()
	{
		if (fd_ >= 0)
			::close(fd_);
	}
	Fd(const Fd &) = delete;
	Fd &operator=(const Fd &) = delete;
	int get() const { return fd_; }

private:
	int fd_;
};

std::string errno_text() { return std::strerror(errno); }

itimerspec ms_timer(long first_ms, long period_ms)
{
	itimerspec t{};
	t.it_value.tv_sec = first_ms / 1000;
	t.it_value.tv_nsec = (first_ms % 1000) * 1000000L;
	t.it_interval.tv_sec = period_ms / 1000;
	t.it_interval.tv_nsec = (period_ms % 1000) * 1000000L;
	return t;
}

void drain_timer(int fd)
{
	std::uint64_t expirations;
	while (::read(fd, &expirations, sizeof(expirations)) > 0) {
	}
}

// The FIFO, made if missing. O_RDWR: we are a writer too, so the read side never
// sees EOF when keepalived closes its end, and keepalived's open never blocks
// waiting for a reader. O_NONBLOCK: a read never stalls the loop.
int open_fifo(const std::string &path, Log &log)
{
	struct stat st;
	if (::stat(path.c_str(), &st) < 0) {
		if (errno != ENOENT) {
			log.info("cannot use notify FIFO " + path + ": " + errno_text());
			return -1;
		}
		if (::mkfifo(path.c_str(), 0600) < 0 && errno != EEXIST) {
			log.info("cannot create notify FIFO " + path + ": " + errno_text());
			return -1;
		}
		log.info("created notify FIFO " + path);
	} else if (!S_ISFIFO(st.st_mode)) {
		log.info("notify FIFO " + path + " exists and is not a FIFO");
		return -1;
	}
	const int fd = ::open(path.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		log.info("cannot open notify FIFO " + path + ": " + errno_text());
	return fd;
}

}  // namespace

void block_signals()
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, nullptr);
}

int run_daemon(const Options &opts, Mirror &mirror, Log &log)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	Fd sig(::signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC));
	Fd tick(::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC));
	Fd follow_up(::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC));
	// Fires when a held service's hold-down runs out: its delete is not left to the
	// next poll.
	Fd hold(::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC));
	if (sig.get() < 0 || tick.get() < 0 || follow_up.get() < 0 || hold.get() < 0) {
		log.info("cannot set up signals and timers: " + errno_text());
		return kExitFailure;
	}
	const itimerspec period = ms_timer(opts.interval_ms, opts.interval_ms);
	if (::timerfd_settime(tick.get(), 0, &period, nullptr) < 0) {
		log.info("cannot start the interval timer: " + errno_text());
		return kExitFailure;
	}
	Fd fifo(opts.notify_fifo ? open_fifo(*opts.notify_fifo, log) : -1);
	if (opts.notify_fifo && fifo.get() < 0)
		return kExitFailure;

	// One reconcile, then the hold timer set for the first hold-down to run out (or
	// disarmed).
	// The moment the first unanswered notify line came (steady clock, µs), so that the
	// reconcile it caused can say how long keepalived's notice took to become FULLNAT
	// changes: the immediate one, or the follow-up when keepalived wrote the line
	// before it changed IPVS.
	std::optional<std::int64_t> noticed_us;
	const auto steady_us = [] {
		return std::chrono::duration_cast<std::chrono::microseconds>(
			       std::chrono::steady_clock::now().time_since_epoch())
			.count();
	};
	bool follow_up_due = false;
	const auto reconcile = [&]() {
		mirror.reconcile();
		if (noticed_us && (mirror.last_applied() || !follow_up_due)) {
			if (mirror.last_applied()) {
				const std::int64_t us = steady_us() - *noticed_us;
				char ms[32];
				std::snprintf(ms, sizeof(ms), "%.1f", static_cast<double>(us) / 1000.0);
				log.info("applied " + std::to_string(mirror.last_applied()) + " change(s) " + ms +
					 " ms after keepalived's notice");
			}
			noticed_us.reset();
		}
		const auto ms = hold_timer_ms(mirror.next_deadline(), mirror.now_ms());
		const itimerspec t = ms ? ms_timer(static_cast<long>(*ms), 0) : itimerspec{};
		::timerfd_settime(hold.get(), 0, &t, nullptr);
	};

	log.info("started: mirroring IPVS of namespace " + opts.ipvs_netns + " every " +
		 std::to_string(opts.interval_ms) + " ms" +
		 (opts.notify_fifo ? ", and on every line of " + *opts.notify_fifo : std::string()) +
		 "; deletions held " + std::to_string(opts.hold_down_ms) + " ms");
	reconcile();

	LineBuffer lines;
	for (;;) {
		pollfd fds[5] = {
			{sig.get(), POLLIN, 0},
			{tick.get(), POLLIN, 0},
			{follow_up.get(), POLLIN, 0},
			{fifo.get(), POLLIN, 0},  // ignored by poll while -1
			{hold.get(), POLLIN, 0},
		};
		if (::poll(fds, 5, -1) < 0) {
			if (errno == EINTR)
				continue;
			log.info("poll failed: " + errno_text());
			return kExitFailure;
		}
		bool now = false;
		if (fds[0].revents & POLLIN) {
			signalfd_siginfo si;
			while (::read(sig.get(), &si, sizeof(si)) == static_cast<ssize_t>(sizeof(si))) {
				if (si.ssi_signo == SIGHUP) {
					log.info("SIGHUP: reconciling now, notes again");
					mirror.renote();
					now = true;
				} else {
					log.info(std::string("exiting on ") + (si.ssi_signo == SIGTERM ? "SIGTERM" : "SIGINT") +
						 "; the FULLNAT services stay in place");
					return kExitOk;
				}
			}
		}
		if (fds[3].revents & POLLIN) {
			char buf[4096];
			ssize_t n;
			while ((n = ::read(fifo.get(), buf, sizeof(buf))) > 0)
				lines.feed(std::string_view(buf, static_cast<std::size_t>(n)));
			const auto got = lines.take();
			if (!got.empty()) {
				for (const std::string &l : got) {
					const auto ev = parse_notify_line(l);
					log.debug("notify: " + l + (ev ? "" : " (not understood; reconciling anyway)"));
				}
				now = true;
				if (!noticed_us)
					noticed_us = steady_us();
				follow_up_due = true;
				const itimerspec once = ms_timer(kFollowUpMs, 0);
				::timerfd_settime(follow_up.get(), 0, &once, nullptr);
			}
		}
		if (fds[2].revents & POLLIN) {
			drain_timer(follow_up.get());
			follow_up_due = false;
			now = true;
		}
		if (fds[1].revents & POLLIN) {
			drain_timer(tick.get());
			now = true;
		}
		if (fds[4].revents & POLLIN) {
			drain_timer(hold.get());
			now = true;
		}
		if (now)
			reconcile();
	}
}

}  // namespace mirror
