import CCurl
import Foundation
import Glibc
import IngestCore

/// Every URL source's transfers on one libcurl multi handle, driven by `curl_multi_poll` on one
/// dedicated thread: no thread per URL, and no stage queue ever waits on the network. Requests
/// are queued from any thread and the poll is woken with `curl_multi_wakeup`. Completions run on
/// `callbackQueue`, never on the network thread.
public final class HTTPFetcher: @unchecked Sendable {
    public let settings: FetchSettings
    private let multi: UnsafeMutableRawPointer
    private let callbackQueue: DispatchQueue
    private let incoming = Locked<[Transfer]>([])
    private let stopping = Locked(false)
    private let finished = DispatchSemaphore(value: 0)
    private let connections = Locked((now: 0, peak: 0))
    /// Confined to the network thread.
    private var active: [UnsafeMutableRawPointer: Transfer] = [:]

    public init(settings: FetchSettings, callbackQueue: DispatchQueue = DispatchQueue(label: "ingestd.fetch.callbacks")) {
        CurlLibrary.prepare()
        self.settings = settings
        self.callbackQueue = callbackQueue
        multi = curl_multi_init()!
        _ = ingestd_curl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, settings.perHostConnections)
        // The thread keeps the fetcher alive until `stop()` ends it: call stop() when done.
        let thread = Thread { self.loop() }
        thread.name = "ingestd.fetch"
        thread.start()
    }

    /// Starts a GET; `completion` gets the response (any status) or why there is none.
    public func fetch(_ request: FetchRequest, completion: @escaping @Sendable (Result<FetchResponse, FetchFailure>) -> Void) {
        guard Self.fetches(request.url) else {
            callbackQueue.async { completion(.failure(.unsupportedScheme(request.url))) }
            return
        }
        if stopping.withLock({ $0 }) {
            callbackQueue.async { completion(.failure(.network(code: -1, message: "ingestd is stopping"))) }
            return
        }
        incoming.withLock { $0.append(Transfer(request: request, settings: settings, completion: completion)) }
        curl_multi_wakeup(multi)
    }

    /// Whether `url` is one this fetcher will request at all (http and https only).
    public static func fetches(_ url: String) -> Bool {
        let scheme = url.prefix(while: { $0 != ":" }).lowercased()
        return (scheme == "http" || scheme == "https") && url.contains("://")
    }

    /// Sockets open now, and the most open at once so far (for the benchmark).
    public var openConnections: (now: Int, peak: Int) { connections.withLock { $0 } }

    /// Ends transfers under way (their completions report a network failure) and the thread.
    /// Required: the network thread keeps the fetcher alive until it is called.
    public func stop() {
        let first = stopping.withLock { s -> Bool in defer { s = true }; return !s }
        guard first else { return }
        curl_multi_wakeup(multi)
        finished.wait()
    }

    deinit {
        // Only after stop(): the network thread holds the fetcher until then.
        curl_multi_cleanup(multi)
    }

    // MARK: the network thread

    private func loop() {
        var running: Int32 = 0
        while true {
            let stop = stopping.withLock { $0 }
            for transfer in incoming.withLock({ q -> [Transfer] in defer { q = [] }; return q }) {
                if stop { transfer.finish(.failure(.network(code: -1, message: "ingestd is stopping")), on: callbackQueue); continue }
                start(transfer)
            }
            if stop { break }
            curl_multi_perform(multi, &running)
            var left: Int32 = 0
            while let message = curl_multi_info_read(multi, &left) {
                guard message.pointee.msg == CURLMSG_DONE, let handle = message.pointee.easy_handle else { continue }
                complete(handle, ingestd_curl_msg_result(message))
            }
            curl_multi_poll(multi, nil, 0, 1000, nil)
        }
        for (handle, transfer) in active {
            curl_multi_remove_handle(multi, handle)
            curl_easy_cleanup(handle)
            transfer.finish(.failure(.network(code: -1, message: "ingestd is stopping")), on: callbackQueue)
        }
        active = [:]
        finished.signal()
    }

    private func start(_ transfer: Transfer) {
        guard let easy = curl_easy_init() else {
            transfer.finish(.failure(.network(code: -1, message: "curl_easy_init failed")), on: callbackQueue)
            return
        }
        transfer.configure(easy, fetcher: self)
        active[easy] = transfer
        curl_multi_add_handle(multi, easy)
    }

    private func complete(_ easy: UnsafeMutableRawPointer, _ code: CURLcode) {
        curl_multi_remove_handle(multi, easy)
        guard let transfer = active.removeValue(forKey: easy) else { return }
        let result = transfer.result(easy, code)
        curl_easy_cleanup(easy)
        transfer.finish(result, on: callbackQueue)
    }

    fileprivate func opened() { connections.withLock { $0.now += 1; $0.peak = max($0.peak, $0.now) } }
    fileprivate func closed() { connections.withLock { $0.now -= 1 } }
}

/// One request's state while libcurl works on it; touched only on the network thread (libcurl
/// calls the callbacks there).
private final class Transfer: @unchecked Sendable {
    let request: FetchRequest
    let settings: FetchSettings
    let completion: @Sendable (Result<FetchResponse, FetchFailure>) -> Void
    weak var fetcher: HTTPFetcher?
    let body = ResponseBody()
    var headers: [String: String] = [:]
    var headerBlocksEnded = 0
    var tooLarge = false
    var refused: (String, AddressPolicy.Kind)?
    var trusted: Set<String>
    var reported: Set<String> = []
    var list: UnsafeMutablePointer<curl_slist>?

    init(request: FetchRequest, settings: FetchSettings, completion: @escaping @Sendable (Result<FetchResponse, FetchFailure>) -> Void) {
        self.request = request
        self.settings = settings
        self.completion = completion
        self.trusted = request.trustedAddresses
    }

    deinit { if let list { curl_slist_free_all(list) } }

    func finish(_ result: Result<FetchResponse, FetchFailure>, on queue: DispatchQueue) {
        let completion = self.completion
        queue.async { completion(result) }
    }

    func configure(_ easy: UnsafeMutableRawPointer, fetcher: HTTPFetcher) {
        self.fetcher = fetcher
        let me = Unmanaged.passUnretained(self).toOpaque()
        _ = ingestd_curl_easy_setopt_string(easy, CURLOPT_URL, request.url)
        _ = ingestd_curl_easy_setopt_string(easy, CURLOPT_PROTOCOLS_STR, "http,https")
        _ = ingestd_curl_easy_setopt_string(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        _ = ingestd_curl_easy_setopt_long(easy, CURLOPT_FOLLOWLOCATION, 1)
        _ = ingestd_curl_easy_setopt_long(easy, CURLOPT_MAXREDIRS, settings.maxRedirects)
        _ = ingestd_curl_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1)
        _ = ingestd_curl_easy_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, Int(settings.connectTimeout * 1000))
        _ = ingestd_curl_easy_setopt_long(easy, CURLOPT_TIMEOUT_MS, Int(settings.totalTimeout * 1000))
        _ = ingestd_curl_easy_setopt_long(easy, CURLOPT_LOW_SPEED_LIMIT, settings.lowSpeedBytesPerSecond)
        _ = ingestd_curl_easy_setopt_long(easy, CURLOPT_LOW_SPEED_TIME, max(1, Int(settings.lowSpeedTime.rounded(.up))))
        _ = ingestd_curl_easy_setopt_offset(easy, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(settings.maxBodyBytes))
        // "" offers every encoding this libcurl decodes; the write callback sees decoded bytes.
        _ = ingestd_curl_easy_setopt_string(easy, CURLOPT_ACCEPT_ENCODING, "")
        _ = ingestd_curl_easy_setopt_string(easy, CURLOPT_USERAGENT, settings.userAgent)
        _ = ingestd_curl_easy_setopt_long(easy, CURLOPT_SSL_VERIFYPEER, 1)
        _ = ingestd_curl_easy_setopt_long(easy, CURLOPT_SSL_VERIFYHOST, 2)
        if let ca = settings.caPath {
            var isFolder: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: ca, isDirectory: &isFolder)
            _ = ingestd_curl_easy_setopt_string(easy, isFolder.boolValue ? CURLOPT_CAPATH : CURLOPT_CAINFO, ca)
        }
        var lines = request.headers.map { "\($0.0): \($0.1)" }
        if let etag = request.etag { lines.append("If-None-Match: \(etag)") }
        if let lastModified = request.lastModified { lines.append("If-Modified-Since: \(lastModified)") }
        for line in lines { list = curl_slist_append(list, line) }
        if let list { _ = ingestd_curl_easy_setopt_slist(easy, CURLOPT_HTTPHEADER, list) }

        _ = ingestd_curl_easy_setopt_pointer(easy, CURLOPT_WRITEDATA, me)
        _ = ingestd_curl_easy_setopt_data_callback(easy, CURLOPT_WRITEFUNCTION) { data, size, count, user in
            let t = Unmanaged<Transfer>.fromOpaque(user!).takeUnretainedValue()
            let n = size * count
            if t.body.count + n > t.settings.maxBodyBytes {
                t.tooLarge = true
                return 0 // aborts the transfer
            }
            if t.body.isEmpty, let declared = t.declaredLength { t.body.reserve(min(declared, t.settings.maxBodyBytes)) }
            t.body.append(data!, n, limit: t.settings.maxBodyBytes)
            return n
        }
        _ = ingestd_curl_easy_setopt_pointer(easy, CURLOPT_HEADERDATA, me)
        _ = ingestd_curl_easy_setopt_data_callback(easy, CURLOPT_HEADERFUNCTION) { data, size, count, user in
            let t = Unmanaged<Transfer>.fromOpaque(user!).takeUnretainedValue()
            let n = size * count
            let line = data!.withMemoryRebound(to: UInt8.self, capacity: n) { String(decoding: UnsafeBufferPointer(start: $0, count: n), as: UTF8.self) }
            t.header(line)
            return n
        }
        _ = ingestd_curl_easy_setopt_pointer(easy, CURLOPT_PREREQDATA, me)
        _ = ingestd_curl_easy_setopt_prereq(easy) { user, ip, _, _, _ in
            let t = Unmanaged<Transfer>.fromOpaque(user!).takeUnretainedValue()
            return t.admit(ip.map { String(cString: $0) } ?? "?") ? CURL_PREREQFUNC_OK : CURL_PREREQFUNC_ABORT
        }
        _ = ingestd_curl_easy_setopt_pointer(easy, CURLOPT_OPENSOCKETDATA, me)
        _ = ingestd_curl_easy_setopt_opensocket(easy) { user, purpose, address in
            let t = Unmanaged<Transfer>.fromOpaque(user!).takeUnretainedValue()
            return t.openSocket(purpose, address!)
        }
        // Connections outlive their transfer in libcurl's cache, so the close hook gets the
        // fetcher (alive as long as the multi handle), not the transfer.
        _ = ingestd_curl_easy_setopt_pointer(easy, CURLOPT_CLOSESOCKETDATA, Unmanaged.passUnretained(fetcher).toOpaque())
        _ = ingestd_curl_easy_setopt_closesocket(easy) { user, fd in
            Unmanaged<HTTPFetcher>.fromOpaque(user!).takeUnretainedValue().closed()
            return Glibc.close(fd)
        }
    }

    /// A header line of any hop: a status line starts a hop, an empty line ends its headers.
    func header(_ line: String) {
        let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { headerBlocksEnded += 1; return }
        if trimmed.hasPrefix("HTTP/") { headers = [:]; return }
        guard let colon = trimmed.firstIndex(of: ":") else { return }
        let name = trimmed[..<colon].lowercased()
        headers[name] = trimmed[trimmed.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }

    /// The address policy, applied on the address libcurl is about to connect to (after DNS),
    /// and again on the address of the connection a request is about to go out on (a reused one
    /// included), for every hop. The configured URL's own first hop may go anywhere the user
    /// pointed it; the addresses it used are then trusted for the rest of the transfer.
    func admit(_ ip: String) -> Bool {
        let firstHop = request.configured && headerBlocksEnded == 0
        let kind = AddressPolicy.classify(ip)
        guard settings.allowPrivateNetworks || kind == .publicAddress || firstHop || trusted.contains(ip) else {
            refused = (ip, kind)
            return false
        }
        if firstHop { trusted.insert(ip); reported.insert(ip) }
        return true
    }

    func openSocket(_ purpose: curlsocktype, _ address: UnsafeMutablePointer<curl_sockaddr>) -> curl_socket_t {
        var text = [CChar](repeating: 0, count: 64)
        let ip = ingestd_curl_sockaddr_text(address, &text, UInt32(text.count)) == 0
            ? String(decoding: text.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self) : "?"
        guard admit(ip) else { return CURL_SOCKET_BAD }
        let fd = socket(address.pointee.family, address.pointee.socktype | Int32(SOCK_CLOEXEC.rawValue), address.pointee.protocol)
        if fd >= 0 { fetcher?.opened() }
        return fd
    }

    /// The final response's Content-Length when it counts the bytes the write callback gets
    /// (no Content-Encoding: a compressed body's length says nothing of the decoded one).
    var declaredLength: Int? {
        guard headers["content-encoding"].map({ $0.isEmpty || $0.lowercased() == "identity" }) ?? true else { return nil }
        return headers["content-length"].flatMap { Int($0) }.flatMap { $0 >= 0 ? $0 : nil }
    }

    func result(_ easy: UnsafeMutableRawPointer, _ code: CURLcode) -> Result<FetchResponse, FetchFailure> {
        if let (ip, kind) = refused { return .failure(.refusedAddress(ip, kind)) }
        if tooLarge || code == CURLE_FILESIZE_EXCEEDED { return .failure(.tooLarge(limit: settings.maxBodyBytes)) }
        switch code {
        case CURLE_OK: break
        case CURLE_TOO_MANY_REDIRECTS: return .failure(.tooManyRedirects(limit: settings.maxRedirects))
        case CURLE_UNSUPPORTED_PROTOCOL: return .failure(.unsupportedScheme(effectiveURL(easy) ?? request.url))
        case CURLE_PARTIAL_FILE: return .failure(.truncated(received: body.count, declared: declaredLength))
        case CURLE_OPERATION_TIMEDOUT:
            return .failure(.timedOut(String(cString: curl_easy_strerror(code))))
        default:
            return .failure(.network(code: Int(code.rawValue), message: String(cString: curl_easy_strerror(code))))
        }
        var status = 0
        _ = ingestd_curl_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
        // libcurl reports a cut body as CURLE_PARTIAL_FILE; this is for whatever path it might
        // not (a 304's Content-Length describes the stored body, not this empty one).
        if let declared = declaredLength, status != 304, status != 204, body.count < declared {
            return .failure(.truncated(received: body.count, declared: declared))
        }
        var redirects = 0
        _ = ingestd_curl_easy_getinfo_long(easy, CURLINFO_REDIRECT_COUNT, &redirects)
        return .success(FetchResponse(status: status, finalURL: effectiveURL(easy) ?? request.url, headers: headers,
                                      body: body, trustedAddresses: reported, redirects: redirects))
    }

    private func effectiveURL(_ easy: UnsafeMutableRawPointer) -> String? {
        var url: UnsafeMutablePointer<CChar>?
        _ = ingestd_curl_easy_getinfo_string(easy, CURLINFO_EFFECTIVE_URL, &url)
        return url.map { String(cString: $0) }
    }
}
