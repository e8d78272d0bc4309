// What the in-process service logs, captured for assertions. The service logs through spdlog's
// default logger, which main.cpp keeps silent; a LogCapture replaces it while it lives.
// Declare it before the InProcessService so that it outlives the service's threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <rapidjson/document.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

namespace fluxstatus::service_testing {

// One log line: its exact text and the JSON object it holds (empty when it is not JSON).
struct LogLine {
  std::string text;
  std::shared_ptr<rapidjson::Document> json;

  bool IsObject() const { return json && json->IsObject(); }
  // A string member's value, or "<absent>".
  std::string Str(const char* name) const {
    if (!IsObject() || !json->HasMember(name) || !(*json)[name].IsString()) return "<absent>";
    return std::string((*json)[name].GetString(), (*json)[name].GetStringLength());
  }
  // An integer member's value, or -1.
  std::int64_t Int(const char* name) const {
    if (!IsObject() || !json->HasMember(name) || !(*json)[name].IsInt64()) return -1;
    return (*json)[name].GetInt64();
  }
};

class LogCapture {
 public:
  LogCapture()
      : sink_(std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(100000)), previous_(spdlog::default_logger()) {
    auto logger = std::make_shared<spdlog::logger>("capture", sink_);
    logger->set_pattern("%v");
    logger->set_level(spdlog::level::debug);
    spdlog::set_default_logger(std::move(logger));
  }
  ~LogCapture() { spdlog::set_default_logger(previous_); }
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  // Every line so far, oldest first.
  std::vector<LogLine> Lines() const {
    std::vector<LogLine> lines;
    for (std::string text : sink_->last_formatted()) {
      while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
      auto doc = std::make_shared<rapidjson::Document>();
      doc->Parse(text.data(), text.size());
      if (doc->HasParseError()) doc.reset();
      lines.push_back({std::move(text), std::move(doc)});
    }
    return lines;
  }

  // The lines whose "msg" is `msg`.
  std::vector<LogLine> WithMsg(const std::string& msg) const {
    std::vector<LogLine> found;
    for (auto& line : Lines()) {
      if (line.Str("msg") == msg) found.push_back(std::move(line));
    }
    return found;
  }

  // Everything, for failure messages.
  std::string Text() const {
    std::string all;
    for (const auto& line : Lines()) all += line.text + "\n";
    return all;
  }

 private:
  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> sink_;
  std::shared_ptr<spdlog::logger> previous_;
};

}  // namespace fluxstatus::service_testing
