#pragma once
// Writes the text exposition (format 0.0.4) of a snapshot straight into one string, without the
// prometheus-cpp MetricFamily objects of build_exposition (one heap object per sample, label
// vectors of strings). At tens of thousands of groups those objects, not the writing, were the
// cost of a scrape. The text is byte-identical to TextSerializer(build_exposition(...)): both are
// checked against the same golden file. A pure function of (snapshot, reader counts).
#include <string>

#include "bpfproc/exposition/exposition.h"
#include "bpfproc/exposition/text_format.h"
#include "bpfproc/snapshot/snapshot.h"

namespace bpfproc {

// Replaces the contents of `text` with the exposition. The caller may keep `text` between scrapes,
// so that its capacity is reused; the writer reserves an estimate of the whole text once.
void write_exposition_text(const ExporterSnapshot& snapshot, const ReaderCounts& reader, std::string& text);

std::string exposition_text(const ExporterSnapshot& snapshot, const ReaderCounts& reader);

// The same samples as write_exposition_text, in the same order, handed to `sink` one by one
// (remote_write). Returns the number of samples.
std::size_t write_exposition_series(const ExporterSnapshot& snapshot, const ReaderCounts& reader, SeriesSink& sink);

}  // namespace bpfproc
