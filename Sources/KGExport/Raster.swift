import Foundation
import KGCore

/// PNG and PDF from kg's SVG, drawn by librsvg onto a cairo surface. Both libraries are loaded at run
/// time with `dlopen` (Debian: librsvg2-2 and libcairo2, present wherever GNOME or ImageMagick is),
/// so building kg needs no header beyond libxml2's; when one is missing the error names the package.
///
/// Output is deterministic: a PNG carries, besides the pixels, a text chunk with the SHA-256 of the
/// SVG it was drawn from (so `kg export --all --check` can tell a stale picture from one drawn by
/// another renderer version), and a PDF the same digest in its keywords and no creation date.
public final class Rasterizer: @unchecked Sendable {
    public enum Format: String, Sendable, CaseIterable { case png, pdf }

    /// The candidates tried for each library (Linux, then macOS names).
    public static var rsvgNames: [String] {
        if let p = ProcessInfo.processInfo.environment["KG_LIBRSVG"] { return [p] }
        return ["librsvg-2.so.2", "librsvg-2.so", "librsvg-2.2.dylib", "/opt/homebrew/lib/librsvg-2.2.dylib", "/usr/local/lib/librsvg-2.2.dylib"]
    }
    public static var cairoNames: [String] {
        if let p = ProcessInfo.processInfo.environment["KG_LIBCAIRO"] { return [p] }
        return ["libcairo.so.2", "libcairo.so", "libcairo.2.dylib", "/opt/homebrew/lib/libcairo.2.dylib", "/usr/local/lib/libcairo.2.dylib"]
    }

    public struct Unavailable: Error, CustomStringConvertible {
        public var description: String
    }

    struct GError { var domain: UInt32; var code: Int32; var message: UnsafePointer<CChar>? }

    typealias WriteFn = @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<UInt8>?, UInt32) -> Int32
    typealias ReadFn = @convention(c) (UnsafeMutableRawPointer?, UnsafeMutablePointer<UInt8>?, UInt32) -> Int32

    private let newFromData: @convention(c) (UnsafePointer<UInt8>?, Int, UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> OpaquePointer?
    private let renderDocument: (@convention(c) (OpaquePointer?, OpaquePointer?, UnsafeRawPointer?, UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> Int32)?
    private let renderCairo: (@convention(c) (OpaquePointer?, OpaquePointer?) -> Int32)?
    private let objectUnref: @convention(c) (OpaquePointer?) -> Void
    private let errorFree: (@convention(c) (UnsafeMutableRawPointer?) -> Void)?
    private let imageSurfaceCreate: @convention(c) (Int32, Int32, Int32) -> OpaquePointer?
    private let pdfSurfaceCreateForStream: @convention(c) (WriteFn?, UnsafeMutableRawPointer?, Double, Double) -> OpaquePointer?
    private let pdfSetMetadata: (@convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?) -> Void)?
    private let create: @convention(c) (OpaquePointer?) -> OpaquePointer?
    private let destroy: @convention(c) (OpaquePointer?) -> Void
    private let surfaceDestroy: @convention(c) (OpaquePointer?) -> Void
    private let surfaceFinish: @convention(c) (OpaquePointer?) -> Void
    private let surfaceFlush: @convention(c) (OpaquePointer?) -> Void
    private let surfaceStatus: @convention(c) (OpaquePointer?) -> Int32
    private let statusToString: @convention(c) (Int32) -> UnsafePointer<CChar>?
    private let scale: @convention(c) (OpaquePointer?, Double, Double) -> Void
    private let setSourceRGB: @convention(c) (OpaquePointer?, Double, Double, Double) -> Void
    private let paint: @convention(c) (OpaquePointer?) -> Void
    private let showPage: @convention(c) (OpaquePointer?) -> Void
    private let writePNGStream: @convention(c) (OpaquePointer?, WriteFn?, UnsafeMutableRawPointer?) -> Int32
    private let pngFromStream: @convention(c) (ReadFn?, UnsafeMutableRawPointer?) -> OpaquePointer?
    private let imageData: @convention(c) (OpaquePointer?) -> UnsafeMutablePointer<UInt8>?
    private let imageStride: @convention(c) (OpaquePointer?) -> Int32
    private let imageWidth: @convention(c) (OpaquePointer?) -> Int32
    private let imageHeight: @convention(c) (OpaquePointer?) -> Int32
    private let lock = NSLock()

    private static let shared: Result<Rasterizer, Unavailable> = {
        do { return .success(try Rasterizer()) } catch let e as Unavailable { return .failure(e) } catch {
            return .failure(Unavailable(description: "\(error)"))
        }
    }()

    /// The loaded libraries (loaded once per process), or an error naming the missing package.
    public static func load() throws -> Rasterizer { try shared.get() }

    private init() throws {
        func open(_ names: [String]) -> UnsafeMutableRawPointer? {
            for n in names { if let h = dlopen(n, RTLD_NOW | RTLD_LOCAL) { return h } }
            return nil
        }
        guard let rsvg = open(Self.rsvgNames) else {
            throw Unavailable(description: "PNG and PDF need librsvg, which was not found (Debian/Ubuntu: apt-get install librsvg2-2; macOS: brew install librsvg)")
        }
        guard let cairo = open(Self.cairoNames) else {
            throw Unavailable(description: "PNG and PDF need cairo, which was not found (Debian/Ubuntu: apt-get install libcairo2; macOS: brew install cairo)")
        }
        func sym<T>(_ h: UnsafeMutableRawPointer, _ name: String, _ t: T.Type) -> T? {
            dlsym(h, name).map { unsafeBitCast($0, to: t) }
        }
        func need<T>(_ h: UnsafeMutableRawPointer, _ name: String, _ t: T.Type, _ lib: String) throws -> T {
            guard let f = sym(h, name, t) else { throw Unavailable(description: "the \(lib) found has no \(name)() (too old?)") }
            return f
        }
        newFromData = try need(rsvg, "rsvg_handle_new_from_data", type(of: newFromData), "librsvg")
        renderDocument = sym(rsvg, "rsvg_handle_render_document", (@convention(c) (OpaquePointer?, OpaquePointer?, UnsafeRawPointer?, UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> Int32).self)
        renderCairo = sym(rsvg, "rsvg_handle_render_cairo", (@convention(c) (OpaquePointer?, OpaquePointer?) -> Int32).self)
        if renderDocument == nil && renderCairo == nil { throw Unavailable(description: "the librsvg found cannot render to cairo") }
        objectUnref = try need(rsvg, "g_object_unref", type(of: objectUnref), "librsvg (GObject)")
        errorFree = sym(rsvg, "g_error_free", (@convention(c) (UnsafeMutableRawPointer?) -> Void).self)
        imageSurfaceCreate = try need(cairo, "cairo_image_surface_create", type(of: imageSurfaceCreate), "cairo")
        pdfSurfaceCreateForStream = try need(cairo, "cairo_pdf_surface_create_for_stream", type(of: pdfSurfaceCreateForStream), "cairo")
        pdfSetMetadata = sym(cairo, "cairo_pdf_surface_set_metadata", (@convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?) -> Void).self)
        create = try need(cairo, "cairo_create", type(of: create), "cairo")
        destroy = try need(cairo, "cairo_destroy", type(of: destroy), "cairo")
        surfaceDestroy = try need(cairo, "cairo_surface_destroy", type(of: surfaceDestroy), "cairo")
        surfaceFinish = try need(cairo, "cairo_surface_finish", type(of: surfaceFinish), "cairo")
        surfaceFlush = try need(cairo, "cairo_surface_flush", type(of: surfaceFlush), "cairo")
        surfaceStatus = try need(cairo, "cairo_surface_status", type(of: surfaceStatus), "cairo")
        statusToString = try need(cairo, "cairo_status_to_string", type(of: statusToString), "cairo")
        scale = try need(cairo, "cairo_scale", type(of: scale), "cairo")
        setSourceRGB = try need(cairo, "cairo_set_source_rgb", type(of: setSourceRGB), "cairo")
        paint = try need(cairo, "cairo_paint", type(of: paint), "cairo")
        showPage = try need(cairo, "cairo_show_page", type(of: showPage), "cairo")
        writePNGStream = try need(cairo, "cairo_surface_write_to_png_stream", type(of: writePNGStream), "cairo")
        pngFromStream = try need(cairo, "cairo_image_surface_create_from_png_stream", type(of: pngFromStream), "cairo")
        imageData = try need(cairo, "cairo_image_surface_get_data", type(of: imageData), "cairo")
        imageStride = try need(cairo, "cairo_image_surface_get_stride", type(of: imageStride), "cairo")
        imageWidth = try need(cairo, "cairo_image_surface_get_width", type(of: imageWidth), "cairo")
        imageHeight = try need(cairo, "cairo_image_surface_get_height", type(of: imageHeight), "cairo")
    }

    final class Sink { var data = Data() }
    final class Source { let data: Data; var offset = 0; init(_ d: Data) { data = d } }

    private static let writeToSink: WriteFn = { closure, bytes, length in
        guard let closure, let bytes else { return 11 }  // CAIRO_STATUS_WRITE_ERROR
        Unmanaged<Sink>.fromOpaque(closure).takeUnretainedValue().data.append(bytes, count: Int(length))
        return 0
    }
    private static let readFromSource: ReadFn = { closure, bytes, length in
        guard let closure, let bytes else { return 10 }  // CAIRO_STATUS_READ_ERROR
        let s = Unmanaged<Source>.fromOpaque(closure).takeUnretainedValue()
        let n = Int(length)
        if s.offset + n > s.data.count { return 10 }
        s.data.copyBytes(to: bytes, from: s.data.startIndex + s.offset ..< s.data.startIndex + s.offset + n)
        s.offset += n
        return 0
    }

    /// The SVG's width and height attributes in px.
    static func size(of svg: String) -> (Double, Double)? {
        func attr(_ name: String) -> Double? {
            guard let r = svg.range(of: " \(name)=\"") else { return nil }
            let rest = svg[r.upperBound...]
            guard let end = rest.firstIndex(of: "\"") else { return nil }
            return Double(rest[..<end])
        }
        guard let w = attr("width"), let h = attr("height"), w > 0, h > 0 else { return nil }
        return (w, h)
    }

    private func handle(_ svg: String) throws -> OpaquePointer {
        let bytes = Array(svg.utf8)
        var err: UnsafeMutableRawPointer? = nil
        let h = bytes.withUnsafeBufferPointer { newFromData($0.baseAddress, bytes.count, &err) }
        if let h { return h }
        var msg = "librsvg could not read the SVG"
        if let e = err {
            if let m = e.assumingMemoryBound(to: GError.self).pointee.message { msg += ": " + String(cString: m) }
            errorFree?(e)
        }
        throw Unavailable(description: msg)
    }

    private func draw(_ h: OpaquePointer, on cr: OpaquePointer, width: Double, height: Double) throws {
        if let render = renderDocument {
            let vp: [Double] = [0, 0, width, height]  // RsvgRectangle: x, y, width, height
            var err: UnsafeMutableRawPointer? = nil
            let ok = vp.withUnsafeBytes { render(h, cr, $0.baseAddress, &err) }
            if ok == 0 {
                var msg = "librsvg could not draw the SVG"
                if let e = err {
                    if let m = e.assumingMemoryBound(to: GError.self).pointee.message { msg += ": " + String(cString: m) }
                    errorFree?(e)
                }
                throw Unavailable(description: msg)
            }
        } else if let render = renderCairo {
            if render(h, cr) == 0 { throw Unavailable(description: "librsvg could not draw the SVG") }
        }
    }

    private func check(_ surface: OpaquePointer?) throws {
        let st = surfaceStatus(surface)
        if st != 0 { throw Unavailable(description: "cairo: " + (statusToString(st).map { String(cString: $0) } ?? "error \(st)")) }
    }

    /// Draws the SVG at `scale` × its size on white; returns the cairo image surface (caller destroys it).
    private func imageSurface(_ svg: String, scale k: Double) throws -> OpaquePointer {
        guard let (w, h) = Self.size(of: svg) else { throw Unavailable(description: "the SVG has no width and height") }
        let pw = Int32((w * k).rounded()), ph = Int32((h * k).rounded())
        guard pw > 0, ph > 0, Int(pw) * Int(ph) <= 40_000_000 else {
            throw Unavailable(description: "a \(pw)×\(ph) picture is too large to draw; export a part (--focus, --query) or SVG")
        }
        let handle = try self.handle(svg)
        defer { objectUnref(handle) }
        let surface = imageSurfaceCreate(0, pw, ph)  // CAIRO_FORMAT_ARGB32
        try check(surface)
        let cr = create(surface)
        defer { destroy(cr) }
        setSourceRGB(cr, 1, 1, 1)
        paint(cr)
        scale(cr, k, k)
        do { try draw(handle, on: cr!, width: w, height: h) } catch { surfaceDestroy(surface); throw error }
        surfaceFlush(surface)
        return surface!
    }

    /// A PNG of the SVG at `scale` × its size (2: a 1280×720 slide becomes 2560×1440).
    public func png(_ svg: String, scale k: Double = 2) throws -> Data {
        lock.lock(); defer { lock.unlock() }
        let surface = try imageSurface(svg, scale: k)
        defer { surfaceDestroy(surface) }
        let sink = Sink()
        let st = writePNGStream(surface, Self.writeToSink, Unmanaged.passUnretained(sink).toOpaque())
        if st != 0 { throw Unavailable(description: "cairo could not write the PNG: " + (statusToString(st).map { String(cString: $0) } ?? "\(st)")) }
        return PNGChunks.withText(sink.data, [("Software", "kg"), ("kg-source", "sha256:" + Self.digest(svg))])
    }

    /// A one-page vector PDF of the SVG (1 px = 0.75 pt: a 1280×720 slide is 960×540 pt).
    public func pdf(_ svg: String, title: String? = nil) throws -> Data {
        lock.lock(); defer { lock.unlock() }
        guard let (w, h) = Self.size(of: svg) else { throw Unavailable(description: "the SVG has no width and height") }
        let handle = try self.handle(svg)
        defer { objectUnref(handle) }
        let sink = Sink()
        let surface = pdfSurfaceCreateForStream(Self.writeToSink, Unmanaged.passUnretained(sink).toOpaque(), w * 0.75, h * 0.75)
        try check(surface)
        defer { surfaceDestroy(surface) }
        if let set = pdfSetMetadata {
            // 0 title, 3 keywords, 4 creator (cairo_pdf_metadata_t)
            if let t = title { t.withCString { set(surface, 0, $0) } }
            ("kg-source sha256:" + Self.digest(svg)).withCString { set(surface, 3, $0) }
            "kg".withCString { set(surface, 4, $0) }
            // 5: creation date. No date (cairo would stamp the current time): same SVG, same bytes.
            "".withCString { set(surface, 5, $0) }
        }
        let cr = create(surface)
        scale(cr, 0.75, 0.75)
        do { try draw(handle, on: cr!, width: w, height: h) } catch { destroy(cr); throw error }
        showPage(cr)
        destroy(cr)
        surfaceFinish(surface)
        try check(surface)
        return sink.data
    }

    /// Pixels of the SVG drawn at `scale` (ARGB, premultiplied, row by row) — what the PNG holds.
    public func pixels(_ svg: String, scale k: Double = 1) throws -> (width: Int, height: Int, argb: [UInt32]) {
        lock.lock(); defer { lock.unlock() }
        let surface = try imageSurface(svg, scale: k)
        defer { surfaceDestroy(surface) }
        return read(surface)
    }

    /// Decodes a PNG (through cairo) into ARGB pixels.
    public func decodePNG(_ data: Data) throws -> (width: Int, height: Int, argb: [UInt32]) {
        lock.lock(); defer { lock.unlock() }
        let src = Source(data)
        let surface = pngFromStream(Self.readFromSource, Unmanaged.passUnretained(src).toOpaque())
        defer { surfaceDestroy(surface) }
        try check(surface)
        surfaceFlush(surface)
        return read(surface!)
    }

    private func read(_ surface: OpaquePointer) -> (width: Int, height: Int, argb: [UInt32]) {
        let w = Int(imageWidth(surface)), h = Int(imageHeight(surface)), stride = Int(imageStride(surface))
        guard let base = imageData(surface) else { return (w, h, []) }
        var out = [UInt32](repeating: 0, count: w * h)
        for y in 0..<h {
            let row = UnsafeRawPointer(base + y * stride)
            for x in 0..<w { out[y * w + x] = row.load(fromByteOffset: 4 * x, as: UInt32.self) }
        }
        return (w, h, out)
    }

    public static func digest(_ svg: String) -> String { SHA256.hex(of: Array(svg.utf8)) }

    /// The SVG digest a kg PNG or PDF carries, if any.
    public static func sourceDigest(of data: Data) -> String? {
        let marker = Array("sha256:".utf8)
        let bytes = [UInt8](data.prefix(4_000_000))
        var i = 0
        while i + marker.count + 64 <= bytes.count {
            if bytes[i] == marker[0] && Array(bytes[i..<(i + marker.count)]) == marker {
                let hex = bytes[(i + marker.count)..<(i + marker.count + 64)]
                if hex.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) {
                    return String(decoding: hex, as: UTF8.self)
                }
            }
            i += 1
        }
        return nil
    }
}

/// Adds tEXt chunks to a PNG right after its header chunk.
enum PNGChunks {
    static let crcTable: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = (c & 1) != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }
    static func crc(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes { c = crcTable[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }
    static func withText(_ png: Data, _ entries: [(String, String)]) -> Data {
        let bytes = [UInt8](png)
        guard bytes.count > 33, bytes[12..<16].elementsEqual(Array("IHDR".utf8)) else { return png }
        let ihdrEnd = 8 + 12 + 13
        var out = Array(bytes[0..<ihdrEnd])
        for (k, v) in entries {
            let body = Array("tEXt".utf8) + Array(k.utf8) + [0] + Array(v.utf8)
            let len = UInt32(body.count - 4)
            out += [UInt8(len >> 24), UInt8((len >> 16) & 0xFF), UInt8((len >> 8) & 0xFF), UInt8(len & 0xFF)]
            out += body
            let c = crc(body)
            out += [UInt8(c >> 24), UInt8((c >> 16) & 0xFF), UInt8((c >> 8) & 0xFF), UInt8(c & 0xFF)]
        }
        out += bytes[ihdrEnd...]
        return Data(out)
    }
}
