// attest: the vendor answer page.
