#include "dispatch/http_transport.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <utility>
#include <vector>

#include <curl/curl.h>
#include <openssl/x509_vfy.h>

namespace fluxstatus::dispatch {
namespace {

// Errors after which the request certainly never reached the host: name resolution,
// connection set-up, TLS handshake and certificate checks, or a call curl refused to start.
bool NeverSent(CURLcode code) {
  // A list, not a switch: CURLcode has ~100 values and -Wswitch-enum would want each named.
  static constexpr std::array kNeverSent{CURLE_UNSUPPORTED_PROTOCOL,
                                         CURLE_FAILED_INIT,
                                         CURLE_URL_MALFORMAT,
                                         CURLE_NOT_BUILT_IN,
                                         CURLE_COULDNT_RESOLVE_PROXY,
                                         CURLE_COULDNT_RESOLVE_HOST,
                                         CURLE_COULDNT_CONNECT,
                                         CURLE_SSL_CONNECT_ERROR,
                                         CURLE_PEER_FAILED_VERIFICATION,
                                         CURLE_SSL_CERTPROBLEM,
                                         CURLE_SSL_CIPHER,
                                         CURLE_SSL_CACERT_BADFILE,
                                         CURLE_SSL_ENGINE_NOTFOUND,
                                         CURLE_SSL_ENGINE_SETFAILED,
                                         CURLE_SSL_ENGINE_INITFAILED,
                                         CURLE_SSL_CRL_BADFILE,
                                         CURLE_SSL_ISSUER_ERROR,
                                         CURLE_SSL_PINNEDPUBKEYNOTMATCH,
                                         CURLE_SSL_INVALIDCERTSTATUS,
                                         CURLE_BAD_FUNCTION_ARGUMENT,
                                         CURLE_UNKNOWN_OPTION,
                                         CURLE_PROXY};
  return std::find(kNeverSent.begin(), kNeverSent.end(), code) != kNeverSent.end();
}

bool Contains(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

// "host:port" of a URL, for messages; the URL itself when curl cannot parse it.
std::string Endpoint(const std::string& url) {
  std::string out = url;
  CURLU* parsed = curl_url();
  char* host = nullptr;
  char* port = nullptr;
  if (parsed != nullptr && curl_url_set(parsed, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK &&
      curl_url_get(parsed, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
      curl_url_get(parsed, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK) {
    out = std::string(host) + ":" + port;
  }
  curl_free(host);
  curl_free(port);
  curl_url_cleanup(parsed);
  return out;
}

// A TLS failure in words that say which route key fixes it; nullopt for other errors.
// `detail` is curl's error buffer (names, codes and alerts; never file contents).
std::optional<std::string> DescribeTlsFailure(CURLcode code, long verify_result, std::string_view detail,
                                              const TransportOptions& options, const std::string& endpoint) {
  const bool has_client_cert = !options.client_cert_file.empty();
  if (code == CURLE_SSL_CACERT_BADFILE) return "TLS: cannot read the route's ca_file " + options.ca_file;
  if (code == CURLE_SSL_CERTPROBLEM) {
    return "TLS: cannot use the route's client certificate (client_cert_file " + options.client_cert_file +
           ", client_key_file " + options.client_key_file + "): not PEM, unreadable, or not a matching pair";
  }
  if (code == CURLE_PEER_FAILED_VERIFICATION) {
    if (verify_result == X509_V_ERR_HOSTNAME_MISMATCH || Contains(detail, "subject name") ||
        Contains(detail, "does not match")) {
      return "TLS: host name mismatch: the certificate of " + endpoint + " is not issued for that host name";
    }
    switch (verify_result) {
      case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
      case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
      case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
      case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
      case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
      case X509_V_ERR_CERT_UNTRUSTED:
        return "TLS: certificate of " + endpoint + " is not trusted (" + X509_verify_cert_error_string(verify_result) +
               "); set the route's ca_file to its CA";
      default:
        return "TLS: certificate of " + endpoint + " is refused: " +
               (verify_result != X509_V_OK ? X509_verify_cert_error_string(verify_result) : std::string(detail));
    }
  }
  // A host that wants a client certificate ends the handshake with an alert; under TLS 1.3 it
  // arrives only at the first read, so the code may be a receive error.
  for (std::string_view alert : {"alert certificate required", "alert bad certificate", "alert unknown ca",
                                 "alert handshake failure", "alert access denied", "alert certificate unknown"}) {
    if (!Contains(detail, alert)) continue;
    if (!has_client_cert && alert == "alert handshake failure") {  // also: no common cipher
      return "TLS: " + endpoint + " refused the handshake (" + std::string(alert) +
             "); if it requires a client certificate, set the route's client_cert_file and client_key_file";
    }
    if (!has_client_cert && alert != "alert bad certificate") {
      return "TLS: " + endpoint + " requires a client certificate (" + std::string(alert) +
             "); set the route's client_cert_file and client_key_file";
    }
    return "TLS: " + endpoint + " refused our client certificate (" + std::string(alert) + ")";
  }
  return std::nullopt;
}

bool HasLineBreak(std::string_view text) { return text.find_first_of("\r\n") != std::string_view::npos; }

bool HasHeader(const HttpCall& call, std::string_view name) {
  return std::any_of(call.headers.begin(), call.headers.end(), [&](const auto& h) {
    return h.first.size() == name.size() &&
           std::equal(h.first.begin(), h.first.end(), name.begin(), [](char a, char b) {
             return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
           });
  });
}

struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

// Appends one header line to `list`: "Name: value", or "Name;" for an empty value, which is
// how curl spells it ("Name:" would remove the header instead).
bool AppendLine(Slist& list, const std::string& line) {
  curl_slist* grown = curl_slist_append(list.get(), line.c_str());
  if (grown == nullptr) return false;
  list.release();
  list.reset(grown);
  return true;
}

bool Append(Slist& list, const std::string& name, const std::string& value) {
  return AppendLine(list, value.empty() ? name + ";" : name + ": " + value);
}

}  // namespace

void InitCurlGlobal() {
  static std::once_flag once;
  static CURLcode code = CURLE_OK;
  std::call_once(once, [] { code = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (code != CURLE_OK) throw std::runtime_error(std::string("curl_global_init failed: ") + curl_easy_strerror(code));
}

struct CurlTransport::Impl {
  TransportOptions options;
  CURL* curl = nullptr;
  char error_buffer[CURL_ERROR_SIZE] = {};
  std::string body;  // the answer being received
  bool body_too_large = false;
  const std::atomic<bool>* abort = nullptr;  // see AbortWhen

  // libcurl calls it at least once a second while a transfer runs, connecting included.
  static int OnProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    const auto* self = static_cast<const Impl*>(user);
    return self->abort != nullptr && self->abort->load() ? 1 : 0;  // non-zero: CURLE_ABORTED_BY_CALLBACK
  }

  static size_t OnBody(char* data, size_t size, size_t count, void* user) {
    auto* self = static_cast<Impl*>(user);
    const size_t n = size * count;
    if (self->body.size() + n > kMaxReplyBytes) {
      self->body_too_large = true;
      return 0;  // makes curl stop with CURLE_WRITE_ERROR
    }
    self->body.append(data, n);
    return n;
  }

  // Every option, every time: curl_easy_reset clears the previous call's settings while
  // keeping the live connections, TLS session cache and DNS cache that make reuse pay.
  bool Configure(const HttpCall& call, Slist& headers) {
    curl_easy_reset(curl);
    bool ok = curl_easy_setopt(curl, CURLOPT_URL, call.url.c_str()) == CURLE_OK;
    const auto set = [&](CURLoption option, auto value) {
      ok = ok && curl_easy_setopt(curl, option, value) == CURLE_OK;
    };
    set(CURLOPT_NOSIGNAL, 1L);  // worker threads: no SIGALRM-based DNS timeouts
    set(CURLOPT_ERRORBUFFER, error_buffer);
    set(CURLOPT_TIMEOUT_MS, static_cast<long>(options.timeout.count()));
    set(CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.connect_timeout.count()));
    set(CURLOPT_USERAGENT, options.user_agent.c_str());
    set(CURLOPT_SSL_VERIFYPEER, 1L);
    set(CURLOPT_SSL_VERIFYHOST, 2L);
    if (!options.ca_file.empty()) set(CURLOPT_CAINFO, options.ca_file.c_str());
    if (!options.client_cert_file.empty()) {
      set(CURLOPT_SSLCERT, options.client_cert_file.c_str());
      set(CURLOPT_SSLCERTTYPE, "PEM");
    }
    if (!options.client_key_file.empty()) {
      set(CURLOPT_SSLKEY, options.client_key_file.c_str());
      set(CURLOPT_SSLKEYTYPE, "PEM");
    }
    set(CURLOPT_PROTOCOLS_STR, "http,https");
    set(CURLOPT_FOLLOWLOCATION, 0L);  // a redirected status POST must not be replayed elsewhere
    set(CURLOPT_TCP_KEEPALIVE, 1L);
    set(CURLOPT_WRITEFUNCTION, &Impl::OnBody);
    set(CURLOPT_WRITEDATA, static_cast<void*>(this));
    if (abort != nullptr) {
      set(CURLOPT_NOPROGRESS, 0L);
      set(CURLOPT_XFERINFOFUNCTION, &Impl::OnProgress);
      set(CURLOPT_XFERINFODATA, static_cast<void*>(this));
    }
    // CURLOPT_PROXY is deliberately left unset: libcurl then honours http_proxy, https_proxy
    // and no_proxy from the environment.

    if (call.method == "GET") {
      set(CURLOPT_HTTPGET, 1L);
    } else if (call.method == "HEAD") {
      set(CURLOPT_NOBODY, 1L);
    } else {
      // A write never rides a reused connection. When a reused connection dies before any
      // answer byte arrives, libcurl silently sends the request again on a new one: for a POST
      // the host has already read, that is a second status, and if the re-send is refused the
      // first send is reported as "certainly not sent". A fresh connection is never re-sent, so
      // a dropped one comes back as an uncertain error (the key is listed before posting
      // again). This is simpler than spotting the re-send, which curl reports only in its
      // debug text. The cost is a handshake per write (TLS session resumption keeps it
      // cheap); reads, which a re-send cannot harm, keep the pooled connections.
      set(CURLOPT_FRESH_CONNECT, 1L);
      if (call.method != "POST") set(CURLOPT_CUSTOMREQUEST, call.method.c_str());
      if (call.method == "POST" || !call.body.empty()) {
        set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(call.body.size()));
        set(CURLOPT_POSTFIELDS, call.body.data());
      }
    }

    for (const auto& [name, value] : call.headers) ok = ok && Append(headers, name, value);
    // curl would otherwise add its own: a form Content-Type to bodies the provider left
    // untyped, and Expect: 100-continue, which costs a round trip on larger bodies.
    if (!HasHeader(call, "Content-Type")) ok = ok && AppendLine(headers, "Content-Type:");
    if (!HasHeader(call, "Expect")) ok = ok && AppendLine(headers, "Expect:");
    set(CURLOPT_HTTPHEADER, headers.get());
    return ok;
  }

  std::vector<std::pair<std::string, std::string>> ReplyHeaders() {
    std::vector<std::pair<std::string, std::string>> out;
    curl_header* h = nullptr;
    // -1: the last response of this transfer (no interim 1xx or proxy CONNECT answers).
    while ((h = curl_easy_nextheader(curl, CURLH_HEADER, -1, h)) != nullptr) {
      std::string name(h->name);
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      // libcurl 7.88 leaves the line's CR in an empty value ("X-Next-Page: " on GitLab's last
      // page came back as "\r", which reads as "there is a next page").
      std::string value(h->value);
      while (!value.empty() &&
             (value.back() == '\r' || value.back() == '\n' || value.back() == ' ' || value.back() == '\t')) {
        value.pop_back();
      }
      out.emplace_back(std::move(name), std::move(value));
    }
    return out;
  }

  std::optional<std::string> TlsFailure(CURLcode code, const std::string& url) {
    long verify_result = X509_V_OK;
    curl_easy_getinfo(curl, CURLINFO_SSL_VERIFYRESULT, &verify_result);
    return DescribeTlsFailure(code, verify_result, error_buffer, options, Endpoint(url));
  }

  // Whether any part of the request may have left this process. Conservative: either curl
  // counted request bytes, or the transfer got past connection set-up.
  bool MaybeSent() {
    long request_size = 0;
    curl_off_t pretransfer_us = 0;
    curl_easy_getinfo(curl, CURLINFO_REQUEST_SIZE, &request_size);
    curl_easy_getinfo(curl, CURLINFO_PRETRANSFER_TIME_T, &pretransfer_us);
    return request_size > 0 || pretransfer_us > 0;
  }
};

CurlTransport::CurlTransport(TransportOptions options) : impl_(std::make_unique<Impl>()) {
  InitCurlGlobal();
  impl_->options = std::move(options);
  impl_->curl = curl_easy_init();
  if (impl_->curl == nullptr) throw std::runtime_error("curl_easy_init failed");
}

CurlTransport::~CurlTransport() {
  if (impl_ != nullptr) curl_easy_cleanup(impl_->curl);
}

CurlTransport::CurlTransport(CurlTransport&&) noexcept = default;
CurlTransport& CurlTransport::operator=(CurlTransport&& other) noexcept {
  if (this != &other) {
    if (impl_ != nullptr) curl_easy_cleanup(impl_->curl);
    impl_ = std::move(other.impl_);
  }
  return *this;
}

void CurlTransport::AbortWhen(const std::atomic<bool>* flag) { impl_->abort = flag; }

TransportResult CurlTransport::Send(const HttpCall& call) {
  TransportResult result;
  Impl& impl = *impl_;
  // Header injection guard: a token read from a file with an inner newline must not smuggle
  // extra headers. The message names the header, never its value.
  for (const auto& [name, value] : call.headers) {
    if (HasLineBreak(name) || HasLineBreak(value)) {
      result.error = "header '" + (HasLineBreak(name) ? std::string("?") : name) + "' contains a line break";
      return result;
    }
  }
  if (impl.abort != nullptr && impl.abort->load()) {
    result.error = "not sent: shutting down";
    return result;
  }
  impl.body.clear();
  impl.body_too_large = false;
  impl.error_buffer[0] = '\0';
  Slist headers;
  const auto start = std::chrono::steady_clock::now();
  if (!impl.Configure(call, headers)) {
    result.error = "cannot configure the request (libcurl refused an option)";
    return result;
  }
  const CURLcode code = curl_easy_perform(impl.curl);
  result.duration = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);

  if (code == CURLE_OK) {
    long status = 0;
    curl_easy_getinfo(impl.curl, CURLINFO_RESPONSE_CODE, &status);
    result.reply.emplace();
    result.reply->status = static_cast<int>(status);
    result.reply->headers = impl.ReplyHeaders();
    result.reply->body = std::move(impl.body);
    impl.body.clear();
    return result;
  }

  if (impl.body_too_large) {
    long status = 0;
    curl_easy_getinfo(impl.curl, CURLINFO_RESPONSE_CODE, &status);
    result.error =
        "HTTP " + std::to_string(status) + " answer larger than " + std::to_string(kMaxReplyBytes) + " bytes";
    result.uncertain = true;
  } else if (auto tls = impl.TlsFailure(code, call.url)) {
    // Failed in or right after the handshake: the host never saw an HTTP request.
    result.error = std::move(*tls);
  } else if (code == CURLE_ABORTED_BY_CALLBACK) {
    result.error = "cut short: shutting down";
    result.uncertain = impl.MaybeSent();
  } else {
    result.error = curl_easy_strerror(code);
    if (impl.error_buffer[0] != '\0') result.error += std::string(": ") + impl.error_buffer;
    result.uncertain = !NeverSent(code) && impl.MaybeSent();
  }
  if (result.uncertain) result.error += " (the request may have reached the host)";
  impl.body.clear();
  return result;
}

}  // namespace fluxstatus::dispatch
