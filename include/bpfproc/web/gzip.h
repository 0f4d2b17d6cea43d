#pragma once
// gzip of a response body, for scrapers that send Accept-Encoding: gzip (Prometheus does).
#include <string>
#include <string_view>

#include "bpfproc/util/result.h"

namespace bpfproc {

// Whether an Accept-Encoding header value allows gzip. A substring match, as prometheus-cpp's
// Exposer did, so that "gzip, deflate" and "gzip;q=1" both qualify.
bool accepts_gzip(const char* accept_encoding);

// Replaces the contents of `compressed` with the gzip stream of `input`; the caller may keep
// `compressed` between responses so that its capacity is reused.
Status gzip_compress(std::string_view input, std::string& compressed);

}  // namespace bpfproc
