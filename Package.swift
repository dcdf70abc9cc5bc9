// swift-tools-version:6.0
// SPDX-License-Identifier: Apache-2.0
import PackageDescription

let package = Package(
    name: "wif",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "wif-mint", targets: ["wif-mint"]),
        .executable(name: "wif-verify", targets: ["wif-verify"]),
        .executable(name: "wif-inspect", targets: ["wif-inspect"]),
        .executable(name: "wif-serve", targets: ["wif-serve"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        .systemLibrary(name: "COpenSSL", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CArgon2", pkgConfig: "libargon2", providers: [.apt(["libargon2-dev"])]),
        // Release binaries are fully static and not position-independent: no dynamic loader, no relocations
        // (`--version` 0.36 M instructions instead of 2.89 M; ES256 one-token mint 15.4 → 12.8 M with no other
        // change). CStaticLink replaces glibc's dlopen there (see its source). Debug and test builds link
        // libcrypto and glibc dynamically.
        .target(name: "CStaticLink", cSettings: [.define("WIF_STATIC_LINK", .when(configuration: .release))]),
        .target(name: "Core", dependencies: ["COpenSSL", "CArgon2", "CStaticLink"], linkerSettings: [
            .linkedLibrary("crypto"),
            .unsafeFlags(["-static-executable"], .when(configuration: .release)),
        ]),
        // The command-line machinery (parser, help, completions, main, diagnostics, stdout): no rules, no C.
        .target(name: "CLI", dependencies: ["Core"]),
        .executableTarget(name: "wif-mint", dependencies: ["Core", "CLI"]),
        .executableTarget(name: "wif-verify", dependencies: ["Core", "CLI"]),
        .executableTarget(name: "wif-inspect", dependencies: ["Core", "CLI"]),
        // The loopback HTTP front end of `wif-verify serve` (SwiftNIO): routing, limits, event log. Core never
        // imports it; it decides no verdict (Core's TokenEndpoint and ProtectedResource do).
        .target(name: "Server", dependencies: [
            "Core",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOEmbedded", package: "swift-nio"),
        ]),
        // `wif-verify serve` execs this, as `git foo` runs `git-foo`: SwiftNIO linked into wif-verify took its
        // --version from 2.88 M to 3.51 M instructions and a one-token verify from 11.79 M to 12.59 M (callgrind,
        // PIE release link).
        .executableTarget(name: "wif-serve", dependencies: ["Core", "CLI", "Server"]),
        .testTarget(name: "CoreTests", dependencies: ["Core", "CStaticLink"], resources: []),
        .testTarget(name: "CLITests", dependencies: ["CLI", "Core"]),
        .testTarget(name: "ServerTests", dependencies: ["Core", "Server"]),
    ],
    swiftLanguageModes: [.v6]
)
