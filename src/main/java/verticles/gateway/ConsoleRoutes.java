package verticles.gateway;

import io.vertx.core.Handler;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * The web console: static files from the jar's {@code webroot/console}, nothing else. It has no endpoint of its own;
 * the page calls the public {@code /v1} API with the key its user types in, so it can do nothing that key cannot.
 */
final class ConsoleRoutes {
  static final String PATH = "/console";

  /** Only the console's own files run, no inline script, no framing, no referrer leaks the page's hash. */
  static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
      + "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

  private ConsoleRoutes() {}

  /** {@code /console} (redirected to {@code /console/}) and {@code /console/*}: public static files. */
  static void mount(Router router) {
    // the route also matches "/console/": only the bare path is redirected (the page's module URLs are absolute)
    router.get(PATH).handler(ctx -> {
      if (ctx.request().path().equals(PATH)) {
        ctx.redirect(PATH + "/");
      } else {
        ctx.next();
      }
    });
    router.get(PATH + "/*").handler(ConsoleRoutes::strictHeaders).handler(files());
  }

  private static Handler<RoutingContext> files() {
    return StaticHandler.create("webroot/console").setDirectoryListing(false).setIncludeHidden(false)
        .setDefaultContentEncoding("UTF-8").setMaxAgeSeconds(300);
  }

  private static void strictHeaders(RoutingContext ctx) {
    ctx.response()
        .putHeader("Content-Security-Policy", CSP)
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Referrer-Policy", "no-referrer")
        .putHeader("X-Frame-Options", "DENY")
        .putHeader("Cross-Origin-Opener-Policy", "same-origin");
    ctx.next();
  }
}
