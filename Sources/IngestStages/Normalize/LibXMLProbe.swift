import CLibXML2
enum LibXMLProbe { static func version() -> String { LIBXML_DOTTED_VERSION } }
