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
        .target(name: "Core", dependencies: ["COpenSSL", "CArgon2"], linkerSettings: [
            // Release binaries carry libcrypto inside (see Makefile, RELEASE_FLAGS): loading the shared library
            // costs each run about 0.7 ms of dynamic relocation. Debug and test builds link it dynamically.
            .linkedLibrary("crypto", .when(configuration: .debug)),
            .unsafeFlags(["-Xlinker", "--whole-archive", "-Xlinker", "-l:libcrypto.a", "-Xlinker", "--no-whole-archive"],
                         .when(configuration: .release)),
        ]),
        // The loopback HTTP front end of `wif-verify serve` (SwiftNIO). Core never imports it.
        .target(name: "Server", dependencies: [
            "Core",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOEmbedded", package: "swift-nio"),
        ]),
        .executableTarget(name: "wif-mint", dependencies: ["Core"]),
        .executableTarget(name: "wif-verify", dependencies: ["Core"]),
        // `wif-verify serve` execs this: SwiftNIO linked into wif-verify cost every run 0.63 M instructions.
        .executableTarget(name: "wif-serve", dependencies: ["Core", "Server"]),
        .executableTarget(name: "wif-inspect", dependencies: ["Core"]),
        .testTarget(name: "CoreTests", dependencies: ["Core"], resources: []),
        .testTarget(name: "ServerTests", dependencies: ["Core", "Server"]),
    ],
    swiftLanguageModes: [.v6]
)
