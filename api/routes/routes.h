// Route registration, one function per resource (files beside this one).
#pragma once

#include "api/http.h"

namespace ems::api {

void RegisterSystemRoutes(Router& router, ApiContext& ctx);    // /health, /openapi.json, /docs
void RegisterAuthRoutes(Router& router, ApiContext& ctx);      // /api/v1/auth/login, /api/v1/me
void RegisterSessionRoutes(Router& router, ApiContext& ctx);   // /api/v1/sessions, /api/v1/stations
void RegisterIngestRoutes(Router& router, ApiContext& ctx);    // /api/v1/ingest/*
void RegisterScheduleRoutes(Router& router, ApiContext& ctx);  // EV charging schedules
void RegisterContractRoutes(Router& router, ApiContext& ctx);  // /api/v1/contracts, /event
void RegisterSiteRoutes(Router& router, ApiContext& ctx);      // /api/v1/sites, site energy
void RegisterDeviceRoutes(Router& router, ApiContext& ctx);    // devices, metrics, series

// The OpenAPI 3 document served at /openapi.json (api/openapi/*.json, compiled in and merged).
const Json& OpenApiDocument();

}  // namespace ems::api
