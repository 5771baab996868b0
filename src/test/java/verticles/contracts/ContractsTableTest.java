package verticles.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import verticles.bus.Addresses;

@DisplayName("The event-bus contracts table in docs/architecture.md")
class ContractsTableTest {
  private static final Pattern ROW = Pattern.compile("^\\| `(memory\\.[a-z0-9.\\-]+)` \\|([^|]*)\\|([^|]*)\\|([^|]*)\\|$");
  private static final Pattern CONTRACT = Pattern.compile("`([A-Z][A-Za-z]*(?:\\.[A-Z][A-Za-z]*)?)`");

  /** address → the request and reply cells of its row. */
  private static Map<String, List<String>> table() throws Exception {
    Map<String, List<String>> rows = new LinkedHashMap<>();
    for (String line : Files.readAllLines(Path.of("docs/architecture.md"))) {
      Matcher m = ROW.matcher(line.strip());
      if (m.matches()) {
        rows.put(m.group(1), List.of(m.group(3), m.group(4)));
      }
    }
    return rows;
  }

  private static List<String> addresses() throws IllegalAccessException {
    List<String> out = new ArrayList<>();
    for (Field f : Addresses.class.getDeclaredFields()) {
      if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
        out.add((String) f.get(null));
      }
    }
    return out;
  }

  @Test
  @DisplayName("names every address of Addresses, and no address that is not one")
  void everyAddress() throws Exception {
    Map<String, List<String>> rows = table();
    List<String> addresses = addresses();
    TreeSet<String> missing = new TreeSet<>(addresses);
    missing.removeAll(rows.keySet());
    assertEquals(new TreeSet<>(), missing, "addresses missing from the table");
    TreeSet<String> stale = new TreeSet<>(rows.keySet());
    stale.removeAll(addresses);
    assertEquals(new TreeSet<>(), stale, "rows for addresses that do not exist");
  }

  @Test
  @DisplayName("names only contracts that exist, each with fromJson and toJson")
  void everyContractExists() throws Exception {
    int named = 0;
    for (Map.Entry<String, List<String>> row : table().entrySet()) {
      for (String cell : row.getValue()) {
        Matcher m = CONTRACT.matcher(cell);
        while (m.find()) {
          String binary = "verticles.contracts." + m.group(1).replace('.', '$');
          Class<?> type = Class.forName(binary);
          assertTrue(type.isRecord(), row.getKey() + ": " + m.group(1) + " is a record");
          type.getMethod("toJson");
          type.getMethod("fromJson", io.vertx.core.json.JsonObject.class);
          named++;
        }
      }
    }
    assertTrue(named >= 2 * addresses().size() - 10, "most cells name a contract: " + named);
  }
}
