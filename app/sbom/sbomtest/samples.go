// Package sbomtest holds small but real SBOM documents and OSV advisories
// for the tests of app/sbom and of the upload through the app.
package sbomtest

// CycloneDXJSON is a CycloneDX 1.5 JSON SBOM of two npm packages, one of
// them with a nested component.
const CycloneDXJSON = `{
  "bomFormat": "CycloneDX",
  "specVersion": "1.5",
  "serialNumber": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
  "version": 1,
  "metadata": {"component": {"type": "firmware", "name": "camera-fw", "version": "2.4.0"}},
  "components": [
    {"type": "library", "name": "lodash", "version": "4.17.20", "purl": "pkg:npm/lodash@4.17.20",
     "licenses": [{"license": {"id": "MIT"}}]},
    {"type": "library", "name": "express", "version": "4.18.2", "purl": "pkg:npm/express@4.18.2",
     "licenses": [{"expression": "MIT"}],
     "components": [
       {"type": "library", "name": "qs", "version": "6.11.0", "purl": "pkg:npm/qs@6.11.0"}
     ]}
  ]
}
`

// CycloneDXJSONBroken is CycloneDXJSON with a trailing comma on line 5.
const CycloneDXJSONBroken = `{
  "bomFormat": "CycloneDX",
  "specVersion": "1.5",
  "components": [
    {"type": "library", "name": "lodash", "version": "4.17.20",}
  ]
}
`

// CycloneDXJSONWrongShape has components that are not a list.
const CycloneDXJSONWrongShape = `{
  "bomFormat": "CycloneDX",
  "specVersion": "1.5",
  "components": "lodash 4.17.20"
}
`

// CycloneDXXML is a CycloneDX 1.5 XML SBOM of one Maven package.
const CycloneDXXML = `<?xml version="1.0" encoding="UTF-8"?>
<bom xmlns="http://cyclonedx.org/schema/bom/1.5" serialNumber="urn:uuid:3e671687-395b-41f5-a30f-a58921a69b80" version="1">
  <components>
    <component type="library">
      <group>org.apache.logging.log4j</group>
      <name>log4j-core</name>
      <version>2.14.1</version>
      <licenses><license><id>Apache-2.0</id></license></licenses>
      <purl>pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1</purl>
    </component>
  </components>
</bom>
`

// CycloneDXXMLBroken closes a tag it never opened on line 6.
const CycloneDXXMLBroken = `<?xml version="1.0" encoding="UTF-8"?>
<bom xmlns="http://cyclonedx.org/schema/bom/1.5" version="1">
  <components>
    <component type="library">
      <name>log4j-core</name>
      <version>2.14.1</versions>
    </component>
  </components>
</bom>
`

// SPDXJSON is an SPDX 2.3 JSON SBOM of one Debian package.
const SPDXJSON = `{
  "spdxVersion": "SPDX-2.3",
  "dataLicense": "CC0-1.0",
  "SPDXID": "SPDXRef-DOCUMENT",
  "name": "router-fw",
  "documentNamespace": "https://example.com/spdx/router-fw-1",
  "creationInfo": {"created": "2026-01-01T00:00:00Z", "creators": ["Tool: tenderprobe-test"]},
  "packages": [
    {"SPDXID": "SPDXRef-Package-openssl", "name": "openssl", "versionInfo": "3.0.1",
     "downloadLocation": "NOASSERTION", "licenseConcluded": "Apache-2.0",
     "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
       "referenceLocator": "pkg:deb/debian/openssl@3.0.1"}]}
  ]
}
`

// SPDXJSONBroken ends in the middle of its package list.
const SPDXJSONBroken = `{
  "spdxVersion": "SPDX-2.3",
  "dataLicense": "CC0-1.0",
  "packages": [
    {"SPDXID": "SPDXRef-Package-openssl", "name": "openssl"
`

// SPDXJSONUnknownVersion names an SPDX version the reader does not know.
const SPDXJSONUnknownVersion = `{"spdxVersion": "SPDX-9.9", "SPDXID": "SPDXRef-DOCUMENT", "packages": []}`

// SPDXTagValue is an SPDX 2.3 tag-value SBOM of one package.
const SPDXTagValue = `SPDXVersion: SPDX-2.3
DataLicense: CC0-1.0
SPDXID: SPDXRef-DOCUMENT
DocumentName: router-fw
DocumentNamespace: https://example.com/spdx/router-fw-1
Creator: Tool: tenderprobe-test
Created: 2026-01-01T00:00:00Z

PackageName: busybox
SPDXID: SPDXRef-Package-busybox
PackageVersion: 1.36.1
PackageDownloadLocation: NOASSERTION
PackageLicenseConcluded: GPL-2.0-only
ExternalRef: PACKAGE-MANAGER purl pkg:generic/busybox@1.36.1
`

// SPDXTagValueBroken has a package property before any package.
const SPDXTagValueBroken = `SPDXVersion: SPDX-2.3
DataLicense: CC0-1.0
SPDXID: SPDXRef-DOCUMENT
DocumentName: router-fw
PackageVersion: 1.36.1
`

// OSV advisories: one affects lodash 4.17.20 (SEMVER range), one affects
// express only before 4.17.3 (so not 4.18.2), one names log4j-core in an
// ECOSYSTEM range, one lists openssl's Debian versions, and one was
// withdrawn.
var OSV = map[string]string{
	"GHSA-35jh-r3h4-6jhm.json": `{"schema_version": "1.6.0", "id": "GHSA-35jh-r3h4-6jhm", "aliases": ["CVE-2021-23337"],
  "summary": "Command Injection in lodash",
  "affected": [{"package": {"ecosystem": "npm", "name": "lodash", "purl": "pkg:npm/lodash"},
    "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "4.17.21"}]}]}]}`,
	"GHSA-hrpp-h998-j3pp.json": `{"id": "GHSA-hrpp-h998-j3pp", "aliases": ["CVE-2022-24999"], "summary": "qs vulnerable to Prototype Pollution",
  "affected": [{"package": {"ecosystem": "npm", "name": "express"},
    "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "4.17.3"}]}]}]}`,
	"GHSA-jfh8-c2jp-5v3q.json": `{"id": "GHSA-jfh8-c2jp-5v3q", "aliases": ["CVE-2021-44228"], "summary": "Remote code injection in Log4j",
  "affected": [{"package": {"ecosystem": "Maven", "name": "org.apache.logging.log4j:log4j-core"},
    "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "2.0-beta9"}, {"fixed": "2.15.0"}]}]}]}`,
	"debian/DSA-5139-1.json": `{"id": "DSA-5139-1", "aliases": ["CVE-2022-1292"], "summary": "openssl - security update",
  "affected": [{"package": {"ecosystem": "Debian:12", "name": "openssl"}, "versions": ["3.0.1", "3.0.2"]}]}`,
	"GHSA-withdrawn.json": `{"id": "GHSA-xxxx-withdrawn", "withdrawn": "2024-01-01T00:00:00Z",
  "affected": [{"package": {"ecosystem": "npm", "name": "lodash"}, "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}]}]}]}`,
}
