#include "log.hpp"

#include <ostream>

namespace mirror {

void Log::info(std::string_view line)
{
	// One write per line, flushed: the journal sees each event as it happens.
	out_ << (std::string(kProg) + ": " + std::string(line) + "\n") << std::flush;
}

void Log::debug(std::string_view line)
{
	if (verbose_)
		info(line);
}

void NoteLog::report(const std::vector<Note> &notes, Log &log)
{
	std::set<Note> now(notes.begin(), notes.end());
	for (const Note &n : now)
		if (!seen_.count(n))
			log.info("note: " + n.service + ": " + n.text);
	seen_ = std::move(now);
}

void Condition::fail(const std::string &text, Log &log)
{
	if (text != last_)
		log.info(text);
	last_ = text;
}

void Condition::clear(std::string_view recovered, Log &log)
{
	if (!last_.empty())
		log.info(recovered);
	last_.clear();
}

}  // namespace mirror
