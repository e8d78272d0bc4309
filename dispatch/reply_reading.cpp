#include "dispatch/reply_reading.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <array>

#include "core/trim.h"
#include "dispatch/request_encoding.h"

namespace fluxstatus::dispatch {
namespace {

// A host's error text is kept in last_error and delivery_attempts within 1 KiB: 255 code points
// of at most 4 bytes each, plus the 3-byte ellipsis (invalid bytes become 3-byte U+FFFD).
constexpr std::size_t kMaxErrorChars = 255;

// Optional white space around a header value (RFC 9110 OWS), and the CR of a raw header line.
constexpr std::string_view kHeaderSpace = " \t\r";

std::optional<int> Digits(std::string_view s) {
  if (s.empty()) return std::nullopt;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's days_from_civil).
std::int64_t DaysFromCivil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

std::optional<std::int64_t> RateHeader(const HttpReply& reply, std::string_view x_name, std::string_view name) {
  const std::string* v = reply.Header(x_name);
  if (v == nullptr) v = reply.Header(name);
  return v ? ParseNonNegative(*v) : std::nullopt;
}

// Printable one-line snippet of a non-JSON body (HTML error pages, proxies' text).
std::string BodySnippet(std::string_view body) {
  std::string out;
  bool space = false;
  for (char c : body.substr(0, 400)) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return CapText(out, 200);
}

}  // namespace

std::optional<std::int64_t> ParseNonNegative(std::string_view text) {
  text = core::Trim(text, kHeaderSpace);
  if (text.empty() || text.size() > 18) return std::nullopt;
  std::int64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

std::optional<std::int64_t> ParseHttpDate(std::string_view text) {
  // "Sun, 06 Nov 1994 08:49:37 GMT": fixed positions after the weekday and comma.
  text = core::Trim(text, kHeaderSpace);
  const auto comma = text.find(", ");
  if (comma == std::string_view::npos) return std::nullopt;
  const std::string_view r = text.substr(comma + 2);
  if (r.size() != 24 || r[2] != ' ' || r[6] != ' ' || r[11] != ' ' || r[14] != ':' || r[17] != ':' ||
      r.substr(20) != " GMT") {
    return std::nullopt;
  }
  static constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const auto month = std::find(kMonths.begin(), kMonths.end(), r.substr(3, 3));
  const auto day = Digits(r.substr(0, 2)), year = Digits(r.substr(7, 4));
  const auto hh = Digits(r.substr(12, 2)), mm = Digits(r.substr(15, 2)), ss = Digits(r.substr(18, 2));
  if (month == kMonths.end() || !day || !year || !hh || !mm || !ss || *day < 1 || *day > 31 || *hh > 23 || *mm > 59 ||
      *ss > 60) {
    return std::nullopt;
  }
  const auto m = static_cast<unsigned>(month - kMonths.begin() + 1);
  return DaysFromCivil(*year, m, static_cast<unsigned>(*day)) * 86400 + *hh * 3600 + *mm * 60 + *ss;
}

std::optional<std::chrono::seconds> ParseRetryAfter(std::string_view value, std::int64_t now_epoch_s) {
  if (auto secs = ParseNonNegative(value)) return std::chrono::seconds(*secs);
  if (auto when = ParseHttpDate(value)) return std::chrono::seconds(std::max<std::int64_t>(0, *when - now_epoch_s));
  return std::nullopt;
}

RateLimit ReadRateLimit(const HttpReply& reply) {
  RateLimit r;
  r.remaining = RateHeader(reply, "x-ratelimit-remaining", "ratelimit-remaining");
  r.reset_epoch_s = RateHeader(reply, "x-ratelimit-reset", "ratelimit-reset");
  return r;
}

bool ParseJsonBody(std::string_view body, rapidjson::Document& doc) {
  doc.Parse(body.data(), body.size());
  return !doc.HasParseError();
}

std::string StringMember(const rapidjson::Value& v, const char* name) {
  if (!v.IsObject()) return {};
  const auto it = v.FindMember(name);
  if (it == v.MemberEnd() || !it->value.IsString()) return {};
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

std::optional<std::string> IdMember(const rapidjson::Value& v, const char* name) {
  if (!v.IsObject()) return std::nullopt;
  const auto it = v.FindMember(name);
  if (it == v.MemberEnd() || !it->value.IsUint64()) return std::nullopt;
  return std::to_string(it->value.GetUint64());
}

std::string FlattenJsonText(const rapidjson::Value& v) {
  if (v.IsString()) return std::string(v.GetString(), v.GetStringLength());
  std::string out;
  if (v.IsArray()) {
    for (const auto& item : v.GetArray()) {
      std::string part = FlattenJsonText(item);
      if (part.empty()) continue;
      if (!out.empty()) out += "; ";
      out += part;
    }
    return out;
  }
  if (v.IsObject()) {
    for (const auto& m : v.GetObject()) {
      std::string part = FlattenJsonText(m.value);
      if (part.empty()) continue;
      if (!out.empty()) out += "; ";
      out.append(m.name.GetString(), m.name.GetStringLength());
      out += ": " + part;
    }
    return out;
  }
  if (v.IsNull()) return {};
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buf);
  v.Accept(writer);
  return buf.GetString();
}

std::string ReplyErrorText(const HttpReply& reply,
                           const std::function<std::string(const rapidjson::Document&)>& from_json) {
  std::string text;
  rapidjson::Document doc;
  if (ParseJsonBody(reply.body, doc)) text = from_json(doc);
  if (text.empty()) {
    text = "HTTP " + std::to_string(reply.status);
    if (std::string snippet = BodySnippet(reply.body); !snippet.empty() && !doc.IsObject()) {
      text += ": " + snippet;
    }
  }
  return CapText(text, kMaxErrorChars);
}

SendOutcome ClassifyReply(const HttpReply& reply, std::int64_t now_epoch_s, std::string error_text) {
  SendOutcome o;
  o.http_status = reply.status;
  o.rate = ReadRateLimit(reply);
  const std::string* retry_header = reply.Header("retry-after");
  const auto retry_after = retry_header ? ParseRetryAfter(*retry_header, now_epoch_s) : std::nullopt;
  std::optional<std::chrono::seconds> until_reset;
  if (o.rate.reset_epoch_s)
    until_reset = std::chrono::seconds(std::max<std::int64_t>(0, *o.rate.reset_epoch_s - now_epoch_s));
  const bool budget_gone = o.rate.remaining && *o.rate.remaining == 0;
  const int s = reply.status;

  if (s >= 200 && s < 300) {
    o.kind = OutcomeKind::kSynced;
    if (retry_after) {
      o.retry_after = retry_after;
      o.host_exhausted = true;
    } else if (budget_gone && until_reset) {
      o.retry_after = until_reset;
      o.host_exhausted = true;
    }
    return o;
  }
  o.error = std::move(error_text);
  if (s == 429 || (s == 403 && budget_gone)) {
    o.kind = OutcomeKind::kRetry;
    o.host_exhausted = true;
    o.retry_after = retry_after ? retry_after : until_reset;
  } else if (s == 408 || s >= 500 || s < 100) {
    o.kind = OutcomeKind::kRetry;
    o.retry_after = retry_after;
    if (s < 100 && o.error.empty()) o.error = "no HTTP status in the reply";
  } else {
    o.kind = OutcomeKind::kPermanent;
  }
  return o;
}

Provider::ListPage ReadStatusByKey(const HttpReply& reply, std::int64_t now_epoch_s, SendOutcome classified,
                                   core::StatusState (*state_from_name)(std::string_view)) {
  Provider::ListPage page;
  if (reply.status == 404) {  // no status under this key yet: an authoritative "none"
    page.outcome = ClassifyReply(HttpReply{200, reply.headers, {}}, now_epoch_s, {});
    page.outcome.http_status = 404;
    return page;
  }
  page.outcome = std::move(classified);
  if (page.outcome.kind != OutcomeKind::kSynced) return page;
  rapidjson::Document doc;
  if (!ParseJsonBody(reply.body, doc) || !doc.IsObject() || StringMember(doc, "state").empty()) {
    page.outcome.kind = OutcomeKind::kPermanent;
    page.outcome.error = "build status is not a JSON object with a state";
    return page;
  }
  page.newest_for_context =
      ObservedStatus{state_from_name(StringMember(doc, "state")), StringMember(doc, "description")};
  return page;
}

Provider::ListPage ReadStatusArray(
    const HttpReply& reply, SendOutcome classified,
    const std::function<void(const rapidjson::Value& array, Provider::ListPage& page)>& read_array) {
  Provider::ListPage page;
  page.outcome = std::move(classified);
  rapidjson::Document doc;
  if (ReadJsonArray(reply, doc, page.outcome, "status list")) read_array(doc, page);
  return page;
}

bool ReadJsonArray(const HttpReply& reply, rapidjson::Document& doc, SendOutcome& outcome, std::string_view what) {
  if (outcome.kind != OutcomeKind::kSynced) return false;
  if (ParseJsonBody(reply.body, doc) && doc.IsArray()) return true;
  outcome.kind = OutcomeKind::kPermanent;
  outcome.error = std::string(what) + " is not a JSON array";
  return false;
}

std::optional<std::string> CreatedId(const HttpReply& reply, SendOutcome& outcome, std::string_view host,
                                     std::string_view what) {
  if (outcome.kind != OutcomeKind::kSynced) return std::nullopt;
  rapidjson::Document doc;
  std::optional<std::string> id;
  if (ParseJsonBody(reply.body, doc)) id = IdMember(doc, "id");
  if (!id) {
    outcome.kind = OutcomeKind::kReconcile;
    outcome.error =
        std::string(host) + " answered " + std::to_string(reply.status) + " but named no " + std::string(what) + " id";
  }
  return id;
}

}  // namespace fluxstatus::dispatch
