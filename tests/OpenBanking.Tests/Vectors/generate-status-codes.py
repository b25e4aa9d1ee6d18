#!/usr/bin/env python3
"""Writes obie-status-codes.json: every status enumeration of the domestic payment resources in the
OBIE PIS OpenAPI files (src/BankSandbox/Specs, unchanged copies of the OBIE releases). Run from the
repository root: python3 tests/OpenBanking.Tests/Vectors/generate-status-codes.py"""
import json
import yaml  # PyYAML

SPECS = "src/BankSandbox/Specs/"
v3 = yaml.safe_load(open(SPECS + "payment-initiation-openapi.v3.1.11.yaml"))["components"]["schemas"]
v4 = json.load(open(SPECS + "payment-initiation-openapi.v4.0-update4.json"))["components"]["schemas"]


def data(schemas, name):
    return schemas[name]["properties"]["Data"]["properties"]


out = {
    "source": "OBIE Read/Write PIS OpenAPI v3.1.11 and v4.0-update4 (src/BankSandbox/Specs), by generate-status-codes.py",
    "v3.1.11": {
        "consent": data(v3, "OBWriteDomesticConsentResponse5")["Status"]["enum"],
        "payment": data(v3, "OBWriteDomesticResponse5")["Status"]["enum"],
        "paymentDetails": data(v3, "OBWritePaymentDetailsResponse1")["PaymentStatus"]["items"]["properties"]["Status"]["enum"],
    },
    "v4.0": {
        "consent": data(v4, "OBWriteDomesticConsentResponse5")["Status"]["enum"],
        "payment": data(v4, "OBWriteDomesticResponse5")["Status"]["enum"],
        "paymentDetails": v4["OBWritePaymentDetails1"]["properties"]["Status"]["enum"],
    },
}
with open("tests/OpenBanking.Tests/Vectors/obie-status-codes.json", "w") as f:
    json.dump(out, f, indent=2)
    f.write("\n")
