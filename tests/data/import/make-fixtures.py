#!/usr/bin/env python3
"""Writes the imp-*.csv fixtures of tests/e2e/import.sh, byte for byte.

Run it after changing a fixture: python3 tests/data/import/make-fixtures.py
The expected outcome of each is asserted in tests/e2e/import.sh.
"""
import os

here = os.path.dirname(os.path.abspath(__file__))


def put(name, data):
    with open(os.path.join(here, name), "wb") as f:
        f.write(data)


# Excel in a Spanish locale: Windows-1252, semicolons, CRLF.
put("imp-cp1252-semicolon.csv", (
    "Nombre y Apellido;Teléfono;Correo;Barrio;Presupuesto;Etiquetas\r\n"
    "María José Núñez;011 15 2345-6789;MJNUNEZ@gmail.com;Palermo;USD 150.000;meta|vip\r\n"
    "Joaquín Ibáñez;(0351) 15-456-7890;;Nueva Córdoba;$ 1.200.000;alquiler\r\n"
    "Señora Peña;+54 9 223 555-0101;pena@example.com.ar;Mar del Plata;150k;\r\n"
    "Agustín Muñoz;11-2345-6789;agus@munoz.com.ar;Belgrano;150000,50;\r\n"
).encode("cp1252"))

put("imp-utf8-bom.csv", (
    "\ufeffname,phone,email,notes\n"
    "Lucía Fernández,+54 9 11 4444-5555,lucia@example.com,prefiere WhatsApp 📱\n"
    "Sofía D'Angelo,+5493514567890,,\n"
    "Pedro Alcántara,,pedro@example.com,\n"
).encode("utf-8"))

# An ad platform's lead export: UTF-16LE with BOM, tab-separated.
put("imp-utf16le-ads.csv", (
    "id\tcreated_time\tad_id\tad_name\tadset_id\tadset_name\tcampaign_id\t"
    "campaign_name\tform_id\tform_name\tis_organic\tplatform\tfull_name\t"
    "phone_number\temail\t¿qué_zona_buscás?\n"
    "l:1001\t2025-01-10T10:00:00-03:00\t9001\tDepto Palermo\t8001\tCABA 25-45\t7001\t"
    "Lanzamiento Verano\t6001\tForm Palermo\tfalse\tig\tMartín Gómez\tp:+5491155556666\t"
    "martin@example.com\tPalermo\n"
    "l:1002\t2025-01-10T11:00:00-03:00\t9001\tDepto Palermo\t8001\tCABA 25-45\t7001\t"
    "Lanzamiento Verano\t6001\tForm Palermo\tfalse\tfb\tCarla Díaz\tp:+5491166667777\t"
    "\tColegiales\n"
).encode("utf-16"))  # utf-16 writes the BOM, little-endian here

put("imp-embedded-newlines.csv", (
    'nombre,telefono,notas\n'
    '"Ana, la del 3°B",+54 9 11 1111-2222,"primera línea\nsegunda línea"\n'
    'Beto,+54 9 11 3333-4444,"dice ""urgente""\ny algo más\ny más"\n'
    'Mal Mail,+54 9 11 5555-6666,ok\n'
    'Sin Datos,,\n'
).encode("utf-8"))

put("imp-unterminated.csv", (
    'nombre,telefono\n'
    'Ana,+54 9 11 1111-2222\n'
    '"Roto,+54 9 11 3333-4444\n'
).encode("utf-8"))

put("imp-ragged.csv", (
    "nombre,telefono,email\n"
    "Ana,+54 9 11 1111-2222,ana@example.com\n"
    "Corto,+54 9 11 3333-4444\n"
    "Largo,+54 9 11 5555-6666,largo@example.com,sobra\n"
    "Vacíos al final,+54 9 11 7777-8888,vacios@example.com,,\n"
).encode("utf-8"))

put("imp-nul.csv", b"nombre,telefono\nAna,+54 9 11 1111-2222\nNu\x00l,+54 9 11 3333-4444\n")
put("imp-empty.csv", b"")
put("imp-header-only.csv", b"nombre,telefono,email\r\n")

# The same lead three times: two phone spellings, then by e-mail only.
put("imp-duplicates.csv", (
    "nombre,telefono,email,tags\n"
    "Ana Pérez,011 15 2345-6789,,a\n"
    ",+54 9 11 2345-6789,ana@example.com,b\n"
    "Otra Persona,+54 9 11 9999-8888,otra@example.com,c\n"
    "Ana P.,+54 9 11 2345-6789,,a;c\n"
).encode("utf-8"))

put("imp-phones-ar.csv", (
    "nombre,celular\n"
    "Forma 011 15,011 15 2345-6789\n"
    "Forma +54 9,+54 9 351 456-7890\n"
    "Fijo sin 15,11-2345-6789\n"
    "Córdoba con 15,(0351) 15-456-7891\n"
    "Uruguay,+598 99 123 456\n"
    "Estados Unidos,+1 415 555 2671\n"
    "Inválido,15-2345\n"
).encode("utf-8"))

put("imp-invalid-emails.csv", (
    "nombre,telefono,email\n"
    "Bien,+54 9 11 1111-2222,bien@example.com\n"
    "Arroba doble,+54 9 11 3333-4444,a@@example.com\n"
    "Sin dominio,+54 9 11 5555-6666,nadie@\n"
    "Con espacio,,con espacio@example.com\n"
).encode("utf-8"))

put("imp-cr-only.csv", (
    "nombre\ttelefono\temail\r"
    "Ana\t+54 9 11 1111-2222\tana@example.com\r"
    "Beto\t+54 9 11 3333-4444\t\r"
).encode("utf-8"))

put("imp-no-header.csv", (
    "Ana,+54 9 11 1111-2222,ana@example.com\n"
    "Beto,+54 9 11 3333-4444,beto@example.com\n"
).encode("utf-8"))
