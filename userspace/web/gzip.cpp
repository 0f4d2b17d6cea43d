#include "bpfproc/web/gzip.h"

#include <cstring>

#include <zlib.h>

namespace bpfproc {

bool accepts_gzip(const char* accept_encoding) {
  return accept_encoding != nullptr && std::strstr(accept_encoding, "gzip") != nullptr;
}

Status gzip_compress(std::string_view input, std::string& compressed) {
  z_stream stream{};
  // 16 + MAX_WBITS asks zlib for a gzip header and trailer; level and memory as prometheus-cpp's
  // Exposer used them, so the bytes on the wire cost what they cost before.
  constexpr int kGzipWindowBits = 16 + MAX_WBITS;
  constexpr int kMemoryLevel = 9;
  if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, kGzipWindowBits, kMemoryLevel,
                   Z_DEFAULT_STRATEGY) != Z_OK)
    return Error{"cannot start gzip", "zlib"};
  // deflateBound is enough for the whole stream, so one deflate call with Z_FINISH completes it.
  compressed.resize(deflateBound(&stream, static_cast<uLong>(input.size())));
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  stream.avail_in = static_cast<uInt>(input.size());
  stream.next_out = reinterpret_cast<Bytef*>(compressed.data());
  stream.avail_out = static_cast<uInt>(compressed.size());
  const int result = deflate(&stream, Z_FINISH);
  compressed.resize(stream.total_out);
  deflateEnd(&stream);
  if (result != Z_STREAM_END) return Error{"cannot gzip the response", "zlib"};
  return Ok{};
}

}  // namespace bpfproc
