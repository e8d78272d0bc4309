// Context and target-URL templates: "{kind}/{name}" with {kind} {name} {namespace} {cluster}
// and {metadata.KEY}. {kind} is lower-cased, as in Flux's default commit status ID.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/flux_event.h"

namespace fluxstatus::core {

// nullopt when the template is usable; otherwise what is wrong with it ("unknown placeholder
// {kinds}", "unclosed {").
std::optional<std::string> ValidateTemplate(std::string_view tmpl);

// Renders a template that ValidateTemplate accepted. A missing metadata key renders empty.
std::string RenderTemplate(std::string_view tmpl, const FluxEvent& event, std::string_view cluster);

// The context for a route: its template, plus "/{cluster}" when a cluster is set and the
// template does not already place it.
std::string ContextTemplateFor(std::string_view tmpl, std::string_view cluster);

}  // namespace fluxstatus::core
