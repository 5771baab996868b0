package verticles.gateway;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.http.HttpMethod;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Which requests get the admin budget (http.admin_timeout_ms) instead of the request budget")
class AdminBudgetTest {

  @Test
  @DisplayName("export, forget, stats and the DLQ replay do; recall, the lists and ingest do not")
  void adminOperations() {
    assertTrue(AdminRoutes.adminBudget(HttpMethod.POST, "/v1/users/u/export"));
    assertTrue(AdminRoutes.adminBudget(HttpMethod.DELETE, "/v1/users/u"));
    assertTrue(AdminRoutes.adminBudget(HttpMethod.DELETE, "/v1/users/u/characters/c"));
    assertTrue(AdminRoutes.adminBudget(HttpMethod.GET, "/v1/users/u/stats"));
    assertTrue(AdminRoutes.adminBudget(HttpMethod.GET, "/v1/stats"));
    assertTrue(AdminRoutes.adminBudget(HttpMethod.POST, "/v1/dlq/replay"));
    assertFalse(AdminRoutes.adminBudget(HttpMethod.GET, "/v1/users/u/characters/c/events"));
    assertFalse(AdminRoutes.adminBudget(HttpMethod.GET, "/v1/users/u"));
    assertFalse(AdminRoutes.adminBudget(HttpMethod.POST, "/v1/recall"));
    assertFalse(AdminRoutes.adminBudget(HttpMethod.POST, "/v1/sessions"));
  }
}
