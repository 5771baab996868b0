package verticles.archiver;

import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.ErrorHandler;
import org.xml.sax.SAXParseException;
import verticles.archiver.ObjectStore.Entry;

/** The XML an S3-compatible endpoint answers: a ListObjectsV2 page and an error body. */
final class S3Xml {
  private S3Xml() {}

  /** One page of a listing; {@code next} is the continuation token when {@code truncated}. */
  record Page(List<Entry> entries, boolean truncated, String next) {}

  /** An error body's {@code Code} and {@code Message}; both null when there was no body. */
  record ErrorBody(String code, String message) {}

  static Page listPage(Buffer body) {
    Element result = parse(body).getDocumentElement();
    NodeList contents = result.getElementsByTagName("Contents");
    List<Entry> entries = new ArrayList<>();
    for (int i = 0; i < contents.getLength(); i++) {
      Element item = (Element) contents.item(i);
      String size = childText(item, "Size");
      entries.add(new Entry(childText(item, "Key"), size == null || size.isBlank() ? 0L : Long.parseLong(size.strip())));
    }
    return new Page(entries, "true".equals(childText(result, "IsTruncated")), childText(result, "NextContinuationToken"));
  }

  static ErrorBody error(Buffer body) {
    if (body == null || body.length() == 0) {
      return new ErrorBody(null, null);
    }
    try {
      Element error = parse(body).getDocumentElement();
      return new ErrorBody(childText(error, "Code"), childText(error, "Message"));
    } catch (RuntimeException e) {
      return new ErrorBody(null, body.toString().substring(0, Math.min(200, body.length()))); // a proxy's HTML page, say
    }
  }

  /** Parses an S3 XML body; DTDs refused, so a hostile endpoint cannot make us resolve entities. */
  static Document parse(Buffer body) {
    try {
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      factory.setXIncludeAware(false);
      factory.setExpandEntityReferences(false);
      DocumentBuilder builder = factory.newDocumentBuilder();
      builder.setErrorHandler(new ErrorHandler() { // the default one prints to stderr
        @Override
        public void warning(SAXParseException e) {}

        @Override
        public void error(SAXParseException e) throws SAXParseException {
          throw e;
        }

        @Override
        public void fatalError(SAXParseException e) throws SAXParseException {
          throw e;
        }
      });
      return builder.parse(new ByteArrayInputStream(body == null ? new byte[0] : body.getBytes()));
    } catch (Exception e) {
      throw new IllegalStateException("Unparseable S3 XML: " + e.getMessage(), e);
    }
  }

  /** Text of the first direct child element with that name, or null. */
  private static String childText(Element parent, String name) {
    for (var n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && name.equals(e.getTagName())) {
        return e.getTextContent();
      }
    }
    return null;
  }
}
