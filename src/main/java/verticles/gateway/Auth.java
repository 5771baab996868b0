package verticles.gateway;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;

/**
 * Who is asking, and whether they may: {@link #authenticate} finds the caller's key and puts it in the routing
 * context, {@link #require} is the per-route handler that answers 403 to a key without the route's scope.
 */
final class Auth {
  private static final String KEY = "engram.key";
  private static final String JWT_USER = "engram.jwt.user";
  private static final String WS_PATH = "/v1/ws";

  private final ApiKeys keys;
  private final JWTAuth jwt;
  private final String tenantClaim;
  private final double jwtRate;
  private final double jwtBurst;

  /** From config {@code auth}: {@code keys}, and {@code jwt} when its secret is set. */
  Auth(Vertx vertx, JsonObject auth) {
    keys = new ApiKeys(auth.getJsonArray("keys", new JsonArray()));
    JsonObject jwtCfg = auth.getJsonObject("jwt", new JsonObject());
    if (jwtCfg.getString("secret", "").isEmpty()) {
      jwt = null;
    } else {
      String issuer = jwtCfg.getString("issuer", "");
      jwt = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions()
          .setAlgorithm(jwtCfg.getString("algorithm", "HS256")).setBuffer(jwtCfg.getString("secret")))
          .setJWTOptions(new JWTOptions().setIssuer(issuer.isBlank() ? null : issuer)));
    }
    tenantClaim = jwtCfg.getString("tenant_claim", "tenant");
    // a token speaks for one end user: its own (small) rate, not the backend-sized default
    jwtRate = jwtCfg.getDouble("rate_limit_per_s", Double.NaN);
    jwtBurst = jwtCfg.getDouble("rate_limit_burst", Double.NaN);
  }

  /** The key the request authenticated with (null before {@link #authenticate}, e.g. on /health). */
  static ApiKeys.Key key(RoutingContext ctx) {
    return ctx.get(KEY);
  }

  static String tenant(RoutingContext ctx) {
    return key(ctx).tenant();
  }

  /** The user a WebSocket's JWT speaks for, or null for an API key. */
  static String jwtUser(RoutingContext ctx) {
    return ctx.get(JWT_USER);
  }

  /** The route handler that lets a request on only when its key holds (or implies) {@code scope}; else 403. */
  static Handler<RoutingContext> require(Scope scope) {
    return ctx -> {
      if (key(ctx).allows(scope)) {
        ctx.next();
      } else {
        Replies.error(ctx, 403, "forbidden", "Authorization", "this API key has no '" + scope.id() + "' scope");
      }
    };
  }

  /** The route handler that lets a request on when its key holds (or implies) any of {@code scopes}; else 403. */
  static Handler<RoutingContext> requireAny(Scope... scopes) {
    return ctx -> {
      for (Scope scope : scopes) {
        if (key(ctx).allows(scope)) {
          ctx.next();
          return;
        }
      }
      Replies.error(ctx, 403, "forbidden", "Authorization", "this API key has no " + String.join(" or ",
          java.util.Arrays.stream(scopes).map(s -> "'" + s.id() + "'").toList()) + " scope");
    };
  }

  /**
   * {@code Authorization: Bearer <key>} (or {@code ?access_token=} on the WebSocket, which browsers cannot give
   * headers): an API key of one tenant, or on the WebSocket a JWT whose {@code sub} is the user, with scope read.
   */
  void authenticate(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    boolean ws = ctx.request().path().equals(WS_PATH);
    String token = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).strip()
        : ws ? ctx.request().getParam("access_token") : null;
    if (token == null || token.isEmpty()) {
      unauthorized(ctx, "missing bearer token: send Authorization: Bearer <api key>");
      return;
    }
    ApiKeys.Key key = keys.find(token);
    if (key == null && jwt != null && ws && token.chars().filter(c -> c == '.').count() == 2) {
      jwt.authenticate(new TokenCredentials(token)).onComplete(ar -> {
        String sub = ar.succeeded() ? ar.result().principal().getString("sub") : null;
        String tenant = ar.succeeded() ? ar.result().principal().getString(tenantClaim, "default") : null;
        if (sub == null || sub.isBlank() || tenant == null || !ApiKeys.TENANT.matcher(tenant).matches()) {
          unauthorized(ctx, "invalid token");
          return;
        }
        ctx.put(KEY, new ApiKeys.Key("jwt:" + tenant + ":" + sub, tenant, Set.of(Scope.READ), jwtRate, jwtBurst));
        ctx.put(JWT_USER, sub);
        ctx.next();
      });
      return;
    }
    if (key == null) {
      unauthorized(ctx, "unknown API key");
      return;
    }
    ctx.put(KEY, key);
    ctx.next();
  }

  private static void unauthorized(RoutingContext ctx, String why) {
    ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"engram\"");
    Replies.error(ctx, 401, "unauthorized", "Authorization", why);
  }
}
