<SUBMISSION>
<ACCESSION-NUMBER>0001562180-25-000280<TYPE>4<PUBLIC-DOCUMENT-COUNT>1<PERIOD>20250106<FILING-DATE>20250108<DATE-OF-FILING-DATE-CHANGE>20250108<REPORTING-OWNER><OWNER-DATA><CONFORMED-NAME>Snow Jessica<CIK>0002009134<ORGANIZATION-NAME></OWNER-DATA><FILING-VALUES><FORM-TYPE>4<ACT>34<FILE-NUMBER>001-40791<FILM-NUMBER>25519649</FILING-VALUES><MAIL-ADDRESS><STREET1>C/O 2SEVENTY BIO, INC.<STREET2>60 BINNEY STREET<CITY>CAMBRIDGE<STATE>MA<ZIP>02210</MAIL-ADDRESS></REPORTING-OWNER><ISSUER><COMPANY-DATA><CONFORMED-NAME>2seventy bio, Inc.<CIK>0001860782<ASSIGNED-SIC>2834<ORGANIZATION-NAME>03 Life Sciences<IRS-NUMBER>863658454<STATE-OF-INCORPORATION>DE<FISCAL-YEAR-END>1231</COMPANY-DATA><BUSINESS-ADDRESS><STREET1>60 BINNEY STREET<CITY>CAMBRIDGE<STATE>MA<ZIP>02210<PHONE>339-499-9300</BUSINESS-ADDRESS><MAIL-ADDRESS><STREET1>60 BINNEY STREET<CITY>CAMBRIDGE<STATE>MA<ZIP>02210</MAIL-ADDRESS></ISSUER><DOCUMENT><TYPE>4<SEQUENCE>1<FILENAME>primarydocument.xml<DESCRIPTION>PRIMARY DOCUMENT<TEXT><XML><?xml version="1.0"?>
<ownershipDocument>

    <schemaVersion>X0508</schemaVersion>

    <documentType>4</documentType>

    <periodOfReport>2025-01-06</periodOfReport>

    <notSubjectToSection16>false</notSubjectToSection16>

    <issuer>
        <issuerCik>0001860782</issuerCik>
        <issuerName>2seventy bio, Inc.</issuerName>
        <issuerTradingSymbol>TSVT</issuerTradingSymbol>
    </issuer>

    <reportingOwner>
        <reportingOwnerId>
            <rptOwnerCik>0002009134</rptOwnerCik>
            <rptOwnerName>Snow Jessica</rptOwnerName>
        </reportingOwnerId>
        <reportingOwnerAddress>
            <rptOwnerStreet1>60 BINNEY STREET</rptOwnerStreet1>
            <rptOwnerStreet2></rptOwnerStreet2>
            <rptOwnerCity>CAMBRIDGE</rptOwnerCity>
            <rptOwnerState>MA</rptOwnerState>
            <rptOwnerZipCode>02142</rptOwnerZipCode>
            <rptOwnerStateDescription></rptOwnerStateDescription>
        </reportingOwnerAddress>
        <reportingOwnerRelationship>
            <isDirector>false</isDirector>
            <isOfficer>true</isOfficer>
            <isTenPercentOwner>false</isTenPercentOwner>
            <isOther>false</isOther>
            <officerTitle>See Remarks</officerTitle>
            <otherText></otherText>
        </reportingOwnerRelationship>
    </reportingOwner>

    <aff10b5One>false</aff10b5One>

    <nonDerivativeTable>
        <nonDerivativeTransaction>
            <securityTitle>
                <value>Common Stock</value>
                <footnoteId id="F1"/>
            </securityTitle>
            <transactionDate>
                <value>2025-01-06</value>
            </transactionDate>
            <deemedExecutionDate></deemedExecutionDate>
            <transactionCoding>
                <transactionFormType>4</transactionFormType>
                <transactionCode>A</transactionCode>
                <equitySwapInvolved>false</equitySwapInvolved>
            </transactionCoding>
            <transactionTimeliness></transactionTimeliness>
            <transactionAmounts>
                <transactionShares>
                    <value>106150.00</value>
                </transactionShares>
                <transactionPricePerShare>
                    <value>0.00</value>
                </transactionPricePerShare>
                <transactionAcquiredDisposedCode>
                    <value>A</value>
                </transactionAcquiredDisposedCode>
            </transactionAmounts>
            <postTransactionAmounts>
                <sharesOwnedFollowingTransaction>
                    <value>253329.00</value>
                </sharesOwnedFollowingTransaction>
            </postTransactionAmounts>
            <ownershipNature>
                <directOrIndirectOwnership>
                    <value>D</value>
                </directOrIndirectOwnership>
            </ownershipNature>
        </nonDerivativeTransaction>
    </nonDerivativeTable>

    <derivativeTable>
        <derivativeTransaction>
            <securityTitle>
                <value>Stock Option (Right to buy)</value>
            </securityTitle>
            <conversionOrExercisePrice>
                <value>2.64</value>
            </conversionOrExercisePrice>
            <transactionDate>
                <value>2025-01-06</value>
            </transactionDate>
            <deemedExecutionDate></deemedExecutionDate>
            <transactionCoding>
                <transactionFormType>4</transactionFormType>
                <transactionCode>A</transactionCode>
                <equitySwapInvolved>false</equitySwapInvolved>
            </transactionCoding>
            <transactionTimeliness></transactionTimeliness>
            <transactionAmounts>
                <transactionShares>
                    <value>70750.00</value>
                </transactionShares>
                <transactionPricePerShare>
                    <value>0.00</value>
                </transactionPricePerShare>
                <transactionAcquiredDisposedCode>
                    <value>A</value>
                </transactionAcquiredDisposedCode>
            </transactionAmounts>
            <exerciseDate>
                <footnoteId id="F2"/>
            </exerciseDate>
            <expirationDate>
                <value>2035-01-06</value>
            </expirationDate>
            <underlyingSecurity>
                <underlyingSecurityTitle>
                    <value>Common Stock</value>
                </underlyingSecurityTitle>
                <underlyingSecurityShares>
                    <value>70750.00</value>
                </underlyingSecurityShares>
            </underlyingSecurity>
            <postTransactionAmounts>
                <sharesOwnedFollowingTransaction>
                    <value>70750.00</value>
                </sharesOwnedFollowingTransaction>
            </postTransactionAmounts>
            <ownershipNature>
                <directOrIndirectOwnership>
                    <value>D</value>
                </directOrIndirectOwnership>
            </ownershipNature>
        </derivativeTransaction>
    </derivativeTable>

    <footnotes>
        <footnote id="F1">This restricted stock unit award vests ratably over a four-year period in annual installments with the first installment vesting on January 2, 2026, subject to the Reporting Person's continued service through the applicable vesting date.</footnote>
        <footnote id="F2">This stock option vests over a four-year period at the rate of 25% on January 2, 2026, and then in 36 equal monthly installments thereafter, subject to the Reporting Person's continued service through the applicable vesting date.</footnote>
    </footnotes>

    <remarks>Title: Senior Vice President of Quality and Enabling Functions</remarks>

    <ownerSignature>
        <signatureName>/s/ Iya Kessler, Attorney-in-Fact</signatureName>
        <signatureDate>2025-01-08</signatureDate>
    </ownerSignature>
</ownershipDocument></XML></TEXT></DOCUMENT></SUBMISSION>
