import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Deps } from './deps.js';
import { authHook } from './api/middleware/auth.js';
import { rateLimitHook } from './api/middleware/rate-limit.js';
import { genRequestId, requestIdHook } from './api/middleware/request-id.js';
import { clientErrorHandler, errorHandlers, frameworkErrors } from './api/error-handler.js';
import { emptyBodyHook } from './api/middleware/empty-body.js';
import { jsonBodyParser } from './api/middleware/json-body.js';
import { nulInUrlHook } from './api/middleware/nul-in-url.js';
import { bodyTimeoutHook } from './api/middleware/body-timeout.js';
import { chatCompletionsRoutes } from './api/chat-completions.js';
import { modelsRoutes } from './api/models.js';
import { usageRoutes } from './api/usage.js';
import { organizationRateLimitsRoutes } from './api/organization-rate-limits.js';
import { assistantsRoutes } from './api/assistants.js';
import { threadsRoutes } from './api/threads.js';
import { messagesRoutes } from './api/messages.js';
import { runsRoutes } from './api/runs.js';
import { filesRoutes } from './api/files.js';
import { embeddingsRoutes } from './api/embeddings.js';
import { vectorStoresRoutes } from './api/vector-stores.js';
import { conversationsRoutes } from './api/conversations.js';
import { responsesRoutes } from './api/responses.js';
import { responsesExtrasRoutes } from './api/responses-extras.js';
import { consoleRoutes } from './api/console.js';
import { organizationAdminApiKeysRoutes } from './api/organization-admin-api-keys.js';
import { organizationProjectsRoutes } from './api/organization-projects.js';
import { organizationServiceAccountsRoutes } from './api/organization-service-accounts.js';
import { healthRoutes } from './api/health.js';
import { metricsRoutes } from './api/metrics.js';
import { telemetryHooks } from './api/middleware/request-completed.js';

/** Builds the HTTP app over its dependencies; no module-level state. */
export async function createApp(deps: Deps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    // One 'request completed' line per request, written by our own hook, instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'reqId' }),
    genReqId: genRequestId,
    bodyLimit: deps.config.bodyLimitBytes,
    return503OnClosing: true,
    routerOptions: { ignoreTrailingSlash: true },
    frameworkErrors,
    clientErrorHandler,
  });
  requestIdHook(app);
  telemetryHooks(app);
  bodyTimeoutHook(app, deps.config.bodyTimeoutMs);
  authHook(app, deps.keys);
  rateLimitHook(app, deps);
  emptyBodyHook(app);
  nulInUrlHook(app);
  jsonBodyParser(app);
  errorHandlers(app, deps.config.bodyLimitBytes);

  await app.register(healthRoutes(deps));
  await app.register(metricsRoutes(deps.keys));
  await app.register(consoleRoutes({ log: deps.log, openMode: () => deps.keys.openMode() }));
  await app.register(
    async (v1) => {
      await v1.register(chatCompletionsRoutes(deps));
      await v1.register(modelsRoutes(deps));
      await v1.register(usageRoutes(deps));
      await v1.register(assistantsRoutes(deps));
      await v1.register(threadsRoutes(deps));
      await v1.register(messagesRoutes(deps));
      await v1.register(runsRoutes(deps));
      await v1.register(filesRoutes(deps));
      await v1.register(embeddingsRoutes(deps));
      await v1.register(vectorStoresRoutes(deps));
      await v1.register(conversationsRoutes(deps));
      await v1.register(responsesRoutes(deps));
      await v1.register(responsesExtrasRoutes(deps));
      await v1.register(organizationAdminApiKeysRoutes(deps));
      await v1.register(organizationProjectsRoutes(deps));
      await v1.register(organizationServiceAccountsRoutes(deps));
      await v1.register(organizationRateLimitsRoutes(deps));
    },
    { prefix: '/v1' },
  );
  return app;
}
