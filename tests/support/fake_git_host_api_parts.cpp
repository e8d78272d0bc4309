#include "tests/support/fake_git_host_api_parts.h"

#include <algorithm>
#include <cctype>

#include <curl/curl.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace fluxstatus::testing::fake {

HttpResponse Answer(int status, std::string body, HeaderList headers) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

void Nullable(Ar& ar, const char* name, const std::string& value) {
  core::WriteNullable(ar, name, value.empty() ? std::nullopt : std::optional<std::string>(value));
}

// The error body each host sends: {"message"} (GitHub, GitLab, Gitea, ADO), Bitbucket Cloud's
// {"type":"error","error":{"message"}}, Bitbucket Server's {"errors":[{"message"}]}.
HttpResponse Error(HostKind kind, int status, const std::string& message) {
  return Answer(status, Json([&](Ar& ar) {
                  if (kind == HostKind::kBitbucket) {
                    ar(make_nvp("type", std::string("error")));
                    ar.setNextName("error");
                    ar.startNode();
                  } else if (kind == HostKind::kBitbucketServer) {
                    ar.setNextName("errors");
                    ar.startNode();
                    ar.makeArray();
                    ar.startNode();
                  }
                  ar(make_nvp("message", message));
                  if (kind == HostKind::kBitbucketServer) ar.finishNode();
                  if (kind == HostKind::kBitbucket || kind == HostKind::kBitbucketServer) ar.finishNode();
                }));
}

std::string Decode(std::string_view text) {
  int length = 0;
  char* raw = curl_easy_unescape(nullptr, text.data(), static_cast<int>(text.size()), &length);
  if (raw == nullptr) return std::string(text);
  std::string out(raw, static_cast<std::size_t>(length));
  curl_free(raw);
  return out;
}

std::string Encode(std::string_view text) {
  char* raw = curl_easy_escape(nullptr, text.data(), static_cast<int>(text.size()));
  if (raw == nullptr) return std::string(text);
  std::string out(raw);
  curl_free(raw);
  return out;
}

std::vector<std::string_view> Split(std::string_view text, char sep) {
  std::vector<std::string_view> out;
  for (std::size_t start = 0; start <= text.size();) {
    const auto end = std::min(text.find(sep, start), text.size());
    out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::string Join(const std::vector<std::string>& parts, std::size_t from, std::size_t to) {
  std::string out;
  for (std::size_t i = from; i < to; ++i) out += (i == from ? "" : "/") + parts[i];
  return out;
}

std::size_t CodePoints(std::string_view text) {
  return static_cast<std::size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

bool OneOf(std::string_view value, std::initializer_list<std::string_view> set) {
  return std::find(set.begin(), set.end(), value) != set.end();
}

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// The body as a JSON object; an empty body counts as {}.
bool ParseObject(const std::string& body, rapidjson::Document& doc) {
  doc.Parse(body.empty() ? "{}" : body.c_str(), body.empty() ? 2 : body.size());
  return !doc.HasParseError() && doc.IsObject();
}

std::optional<std::string> Field(const rapidjson::Value* object, const char* name) {
  if (object == nullptr || !object->IsObject()) return std::nullopt;
  const auto it = object->FindMember(name);
  if (it == object->MemberEnd() || !it->value.IsString()) return std::nullopt;
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

std::string FieldOr(const rapidjson::Value* object, const char* name, std::string fallback) {
  auto value = Field(object, name);
  return value && !value->empty() ? *value : fallback;
}

HeaderList Paging::GitLabHeaders(const ApiRequest& rq, std::size_t total) const {
  HeaderList headers = {{"X-Total", std::to_string(total)},
                        {"X-Total-Pages", std::to_string(pages)},
                        {"X-Page", std::to_string(page)},
                        {"X-Per-Page", std::to_string(size)},
                        {"X-Next-Page", page < pages ? std::to_string(page + 1) : ""},
                        {"X-Prev-Page", page > 1 ? std::to_string(page - 1) : ""}};
  Link(headers, rq.PageUrl());
  return headers;
}

// A status from a request body, reading the members the host calls context, URL and name.
FakeStatus FromBody(const rapidjson::Value* body, const char* context, const char* url, const char* name,
                    const std::string& default_context) {
  return FakeStatus{0,
                    FieldOr(body, context, default_context),
                    FieldOr(body, "state"),
                    FieldOr(body, "description"),
                    FieldOr(body, url),
                    name == nullptr ? std::string() : FieldOr(body, name),
                    NowText()};
}

Statuses NewestFirst(Statuses items) {
  std::reverse(items.begin(), items.end());
  return items;
}

// Bitbucket's upsert by key: "If the specified key already exists, the existing status object
// will be overwritten." The key keeps its first id and place.
const FakeStatus& Upsert(Statuses& list, FakeStatus s, Store& store) {
  const auto it = std::find_if(list.begin(), list.end(), [&](const FakeStatus& o) { return o.context == s.context; });
  if (it == list.end()) {
    s.id = store.next_id++;
    return list.emplace_back(std::move(s));
  }
  s.id = it->id;
  return *it = std::move(s);
}

HttpResponse GitHubValidationFailed(const std::string& resource, const std::string& field, const std::string& message,
                                    const std::string& docs_url) {
  return Answer(422, Json([&](Ar& ar) {
                  ar(make_nvp("message", std::string("Validation Failed")));
                  ar.setNextName("errors");
                  ar.startNode();
                  ar.makeArray();
                  ar.startNode();
                  ar(make_nvp("resource", resource), make_nvp("code", std::string("custom")), make_nvp("field", field),
                     make_nvp("message", message));
                  ar.finishNode();
                  ar.finishNode();
                  ar(make_nvp("documentation_url", docs_url));
                }));
}

std::string JsonText(const rapidjson::Value& value) {
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> writer(out);
  value.Accept(writer);
  return std::string(out.GetString(), out.GetSize());
}

const rapidjson::Value* Body::Get(const char* name) const {
  const auto it = object_.FindMember(name);
  return it == object_.MemberEnd() ? nullptr : &it->value;
}

void Body::String(const char* name, std::string& out) {
  const rapidjson::Value* v = Get(name);
  if (v != nullptr && v->IsString()) out.assign(v->GetString(), v->GetStringLength());
  if (v != nullptr && !v->IsString() && !v->IsNull()) Wrong(name, *v, "a string");
}

std::optional<std::string> Body::OptionalString(const char* name) {
  const rapidjson::Value* v = Get(name);
  if (v == nullptr || v->IsNull()) return std::nullopt;
  std::string out;
  String(name, out);
  return out;
}

void Body::Bool(const char* name, bool& out) {
  const rapidjson::Value* v = Get(name);
  if (v != nullptr && v->IsBool()) out = v->GetBool();
  if (v != nullptr && !v->IsBool()) Wrong(name, *v, "a boolean");
}

std::optional<std::vector<std::string>> Body::Strings(const char* name) {
  const rapidjson::Value* v = Get(name);
  if (v == nullptr) return std::nullopt;
  std::vector<std::string> out;
  if (!v->IsArray()) {
    Wrong(name, *v, "an array");
    return out;
  }
  for (const auto& item : v->GetArray()) {
    if (!item.IsString()) Wrong(name, item, "a string");
    if (item.IsString()) out.emplace_back(item.GetString(), item.GetStringLength());
  }
  return out;
}

void Body::Wrong(const char* name, const rapidjson::Value& value, const char* type) {
  if (error_.empty())
    error_ = std::string("For 'properties/") + name + "', " + JsonText(value) + " is not " + type + ".";
}

HttpResponse InvalidRequest(const std::string& why, const char* docs) {
  return Answer(422, Json([&](Ar& ar) {
                  ar(make_nvp("message", "Invalid request.\n\n" + why),
                     make_nvp("documentation_url", std::string(docs)));
                }));
}

}  // namespace fluxstatus::testing::fake
