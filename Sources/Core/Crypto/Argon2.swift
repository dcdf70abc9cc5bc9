// SPDX-License-Identifier: Apache-2.0
internal import CArgon2

/// Argon2id (RFC 9106) through libargon2's `argon2id_ctx`, so that a secret and associated data can be given.
///
/// Rules:
/// - Argon2id only, version 0x13 (19): the variant RFC 9106 §4 recommends;
/// - parameters are checked against `Parameters.limits` before libargon2 allocates anything, so a hostile key
///   file cannot make wif allocate more than 4 GiB, run more than 100 passes or start more than 64 threads;
/// - `Parameters.recommended` is RFC 9106 §4's second recommended option (t = 3, p = 4, m = 64 MiB);
///   `Parameters.isWeak` is anything below t = 3 or m = 64 MiB, which wif only writes with `--insecure-kdf`;
/// - the password copy wif hands to libargon2 is wiped after use; libargon2 wipes its memory blocks itself
///   (`FLAG_clear_internal_memory`).
public enum Argon2 {
    /// Argon2 version 1.3 (RFC 9106 §3.1 `v`).
    public static let version: UInt32 = 0x13

    /// Cost parameters (RFC 9106 §3.1): memory `m` in KiB, passes `t`, lanes `p`.
    public struct Parameters: Sendable, Equatable, CustomStringConvertible {
        public var memoryKiB: UInt32
        public var iterations: UInt32
        public var lanes: UInt32

        public init(memoryKiB: UInt32, iterations: UInt32, lanes: UInt32) {
            self.memoryKiB = memoryKiB
            self.iterations = iterations
            self.lanes = lanes
        }

        /// RFC 9106 §4, second recommended option: t = 3, p = 4, m = 2^16 KiB (64 MiB).
        public static let recommended = Parameters(memoryKiB: 1 << 16, iterations: 3, lanes: 4)

        /// The most wif writes, and the most a key file may ask for when read: m ≤ 1 GiB, t ≤ 10, p ≤ 16. A
        /// tampered file asking for m = 4 GiB, p = 64 cost 13.5 s and 4.2 GB before `decrypt_failed`, and with
        /// t = 100 more than a minute; at these bounds a derivation takes the time measured in wif-mint(1).
        public static let maxMemoryKiB: UInt32 = 1 << 20
        public static let maxIterations: UInt32 = 10
        public static let maxLanes: UInt32 = 16
        /// Passes allowed at the memory bound: m × t is at most the memory bound × 3 (1 GiB at t = 3, 64 MiB
        /// at t = 10 both pass).
        public static let maxPassesAtMaxMemory: UInt32 = 3
        /// How far `--max-kdf-memory` may raise the memory bound for reading (files of older wif versions).
        public static let hardMaxMemoryKiB: UInt32 = 4 << 20

        /// Below RFC 9106 §4's second recommended option in passes or memory.
        public var isWeak: Bool {
            iterations < Parameters.recommended.iterations || memoryKiB < Parameters.recommended.memoryKiB
        }

        public var description: String { "m=\(Argon2.memoryText(memoryKiB)) t=\(iterations) p=\(lanes)" }

        /// Checks the bounds above (memory against `maxMemory`, raised by `--max-kdf-memory` on read) and
        /// libargon2's own minimums (t ≥ 1, 1 ≤ p, m ≥ 8 KiB per lane).
        public func check(what: String, maxMemory: UInt32 = Parameters.maxMemoryKiB) throws(WIFError) {
            guard iterations >= 1, iterations <= Parameters.maxIterations else {
                throw WIFError(.keyInvalid, "\(what): argon2 passes t=\(iterations) is outside 1 to \(Parameters.maxIterations)")
            }
            guard lanes >= 1, lanes <= Parameters.maxLanes else {
                throw WIFError(.keyInvalid, "\(what): argon2 lanes p=\(lanes) is outside 1 to \(Parameters.maxLanes)")
            }
            guard memoryKiB <= maxMemory else {
                throw WIFError(.keyInvalid, "\(what): argon2 memory m=\(memoryKiB) KiB is more than \(Argon2.memoryText(maxMemory))",
                               hint: maxMemory < Parameters.hardMaxMemoryKiB
                                   ? "if the file is trusted, --max-kdf-memory \(Argon2.memoryText(min(Parameters.hardMaxMemoryKiB, memoryKiB)).replacingSpaces) allows it"
                                   : nil)
            }
            // Time grows with m × t: 1 GiB at t = 10 took 48 s here (2 shared cores), 1 GiB at t = 3 took 16 s.
            guard UInt64(memoryKiB) * UInt64(iterations) <= UInt64(maxMemory) * UInt64(Parameters.maxPassesAtMaxMemory) else {
                throw WIFError(.keyInvalid, "\(what): argon2 cost m × t = \(Argon2.memoryText(memoryKiB)) × \(iterations) is more than "
                               + "\(Argon2.memoryText(maxMemory)) × \(Parameters.maxPassesAtMaxMemory)")
            }
            guard UInt64(memoryKiB) >= 8 * UInt64(lanes) else {
                throw WIFError(.keyInvalid, "\(what): argon2 memory m=\(memoryKiB) KiB is less than 8 KiB per lane (p=\(lanes))")
            }
        }
    }

    /// Parameters for a new key file: RFC 9106 §4's second recommended option, with the given overrides
    /// (`--kdf-memory`, `--kdf-time`, `--kdf-lanes`). Weaker than t = 3, m = 64 MiB only with `allowWeak`
    /// (`--insecure-kdf`, for tests), and never beyond what a reader accepts.
    public static func parametersForNewFile(memory: String?, iterations: Int?, lanes: Int?,
                                  allowWeak: Bool) throws(WIFError) -> Parameters {
        var p = Parameters.recommended
        if let memory {
            p.memoryKiB = try parseMemory(memory, what: "--kdf-memory")
            guard p.memoryKiB <= Parameters.maxMemoryKiB else {
                throw WIFError(.usage, "--kdf-memory must be at most \(memoryText(Parameters.maxMemoryKiB))")
            }
        }
        if let iterations {
            guard iterations >= 1, iterations <= Int(Parameters.maxIterations) else {
                throw WIFError(.usage, "--kdf-time must be 1 to \(Parameters.maxIterations), not \(iterations)")
            }
            p.iterations = UInt32(iterations)
        }
        if let lanes {
            guard lanes >= 1, lanes <= Int(Parameters.maxLanes) else {
                throw WIFError(.usage, "--kdf-lanes must be 1 to \(Parameters.maxLanes), not \(lanes)")
            }
            p.lanes = UInt32(lanes)
        }
        guard UInt64(p.memoryKiB) >= 8 * UInt64(p.lanes) else {
            throw WIFError(.usage, "--kdf-memory must be at least 8 KiB per lane (\(8 * p.lanes) KiB for \(p.lanes) lanes)")
        }
        do { try p.check(what: "argon2id") } catch { throw WIFError(.usage, error.detail) }
        if p.isWeak && !allowWeak {
            throw WIFError(.usage, "argon2id \(p) is weaker than RFC 9106's second recommended option (t=3, m=64 MiB)",
                           hint: "--insecure-kdf allows it, for tests only")
        }
        return p
    }

    /// Memory as text: `64 MiB`, `1 GiB`, `1000 KiB`.
    public static func memoryText(_ kib: UInt32) -> String {
        if kib >= 1 << 20 && kib % (1 << 20) == 0 { return "\(kib >> 20) GiB" }
        if kib >= 1 << 10 && kib % (1 << 10) == 0 { return "\(kib >> 10) MiB" }
        return "\(kib) KiB"
    }

    /// Parses a memory size: KiB as a plain number (Argon2's unit), or a number with K/KiB, M/MiB or G/GiB.
    public static func parseMemory(_ text: String, what: String) throws(WIFError) -> UInt32 {
        var digits = Substring(text)
        var shift: UInt64 = 0
        for (suffix, s) in [("KiB", 0), ("MiB", 10), ("GiB", 20), ("K", 0), ("M", 10), ("G", 20)] as [(String, UInt64)]
        where digits.hasSuffix(suffix) {
            digits = digits.dropLast(suffix.count)
            shift = s
            break
        }
        guard !digits.isEmpty, digits.count <= 10, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
              let n = UInt64(digits), n > 0 else {
            throw WIFError(.usage, "\(what): \"\(JSON.escapedForMessage(text))\" is not a memory size",
                           hint: "give KiB (65536) or a size with K, M or G (64M, 1G)")
        }
        let kib = n << shift
        guard kib >> shift == n, kib <= UInt64(Parameters.hardMaxMemoryKiB) else {
            throw WIFError(.usage, "\(what): \(text) is more than 4 GiB")
        }
        return UInt32(kib)
    }

    /// Argon2id of `password` and `salt`, with an optional `secret` (K) and `associatedData` (X), `length` bytes
    /// long (RFC 9106 §3.1). For test vectors and callers holding plain arrays.
    public static func hash(password: [UInt8], salt: [UInt8], secret: [UInt8] = [], associatedData: [UInt8] = [],
                            parameters: Parameters, length: Int = 32) throws(WIFError) -> [UInt8] {
        let out = try derive(password: SecretBytes(password), salt: salt, secret: secret,
                             associatedData: associatedData, parameters: parameters, length: length)
        return out.withBytes { Array($0) }
    }

    /// Argon2id into a `SecretBytes` of `length` bytes (a key-encryption key).
    public static func derive(password: SecretBytes, salt: [UInt8], secret: [UInt8] = [], associatedData: [UInt8] = [],
                              parameters p: Parameters, length: Int = 32,
                              maxMemory: UInt32 = Parameters.maxMemoryKiB) throws(WIFError) -> SecretBytes {
        try p.check(what: "argon2", maxMemory: maxMemory)
        guard length >= 4, length <= 1024 else { throw WIFError(.usage, "argon2 output length \(length) is outside 4 to 1024") }
        guard salt.count >= 8 else { throw WIFError(.keyInvalid, "argon2 salt has \(salt.count) bytes, at least 8 are required") }
        let out = SecretBytes(capacity: length)
        // libargon2 takes mutable pointers; the inputs are copied into buffers we own and wipe.
        let pwd = SecretBytes(capacity: password.count)
        pwd.fill { dst in password.withBytes { src in
            if let d = dst.baseAddress, let s = src.baseAddress { d.copyMemory(from: s, byteCount: src.count) }
            return src.count
        } }
        let key = SecretBytes(secret)
        var saltCopy = salt
        var ad = associatedData
        var rc: Int32 = 0
        out.fill { o in
            pwd.withBytes { pw in
                key.withBytes { k in
                    saltCopy.withUnsafeMutableBytes { s in
                        ad.withUnsafeMutableBytes { x in
                            var ctx = argon2_context()
                            ctx.out = o.baseAddress?.assumingMemoryBound(to: UInt8.self)
                            ctx.outlen = UInt32(length)
                            ctx.pwd = UnsafeMutablePointer(mutating: pw.baseAddress?.assumingMemoryBound(to: UInt8.self))
                            ctx.pwdlen = UInt32(pw.count)
                            ctx.salt = s.baseAddress?.assumingMemoryBound(to: UInt8.self)
                            ctx.saltlen = UInt32(s.count)
                            ctx.secret = UnsafeMutablePointer(mutating: k.baseAddress?.assumingMemoryBound(to: UInt8.self))
                            ctx.secretlen = UInt32(k.count)
                            ctx.ad = x.baseAddress?.assumingMemoryBound(to: UInt8.self)
                            ctx.adlen = UInt32(x.count)
                            ctx.t_cost = p.iterations
                            ctx.m_cost = p.memoryKiB
                            ctx.lanes = p.lanes
                            ctx.threads = p.lanes
                            ctx.version = Argon2.version
                            ctx.allocate_cbk = nil
                            ctx.free_cbk = nil
                            ctx.flags = 0
                            rc = argon2id_ctx(&ctx)
                        }
                    }
                }
            }
            return rc == 0 ? length : 0
        }
        pwd.wipe()
        key.wipe()
        guard rc == 0 else {
            out.wipe()
            let why = argon2_error_message(rc).map { String(cString: $0).lowercased() } ?? "error \(rc)"
            if rc == ARGON2_MEMORY_ALLOCATION_ERROR.rawValue {
                throw WIFError(.cryptoFailure, "argon2 cannot allocate \(memoryText(p.memoryKiB)): \(why)")
            }
            throw WIFError(.cryptoFailure, "argon2 failed: \(why)")
        }
        return out
    }
}

extension String {
    /// `1 GiB` → `1GiB`, for a size shown as an option value.
    fileprivate var replacingSpaces: String { String(filter { $0 != " " }) }
}
